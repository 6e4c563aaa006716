// Start page (发起项目): the catalogue list shows the services of the chosen locality only, narrowed by
// what is typed in the search box (code, name, category or class). Without script every locality's
// services are listed, each group named with its locality, and the server checks the choice anyway.
(function () {
  'use strict';

  const form = document.getElementById('start-form');
  const select = document.getElementById('catalogue-select');
  const search = document.getElementById('catalogue-search');
  if (!form || !select || !search) {
    return;
  }
  const locality = form.elements.namedItem('locality');
  search.hidden = false;

  function filter() {
    const place = locality ? locality.value : '';
    const words = search.value.trim().toLowerCase();
    for (const group of select.querySelectorAll('optgroup')) {
      const here = group.dataset.locality === place;
      const groupMatches = words !== '' && group.label.toLowerCase().includes(words);
      let shown = 0;
      for (const option of group.querySelectorAll('option')) {
        const visible = here && (words === '' || groupMatches || option.textContent.toLowerCase().includes(words));
        option.hidden = !visible;
        shown += visible ? 1 : 0;
      }
      group.hidden = shown === 0;
    }
    const chosen = select.selectedOptions[0];
    if (chosen && chosen.hidden) {
      select.value = '';
    }
  }

  if (locality) {
    locality.addEventListener('change', filter);
  }
  search.addEventListener('input', filter);
  filter();
  document.body.dataset.startReady = 'true';
})();
