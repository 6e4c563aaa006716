// The topbar bell (notifications/_bell.html): refreshes the unread count once a minute. Its URL and label
// come from the bell's data-* attributes, so no script is inline (the CSP allows none).
(function () {
  'use strict';
  var bell = document.getElementById('notification-bell');
  if (!bell || !window.fetch) return;
  var badge = bell.querySelector('.bell-count');
  var url = bell.getAttribute('data-unread-url');
  var label = bell.getAttribute('data-label') || '';
  function refresh() {
    fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (!body) return;
        badge.textContent = body.unread;
        badge.dataset.unread = body.unread;
        badge.hidden = !body.unread;
        bell.setAttribute('aria-label', label.replace('__N__', body.unread));
      })
      .catch(function () {});
  }
  setInterval(refresh, 60000);
})();
