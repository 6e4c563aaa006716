/** Accepts an element or a CSS selector; fails loudly when nothing matches. */
export function resolveElement(target, what = 'container') {
  const element = typeof target === 'string' ? document.querySelector(target) : target;
  if (!element) {
    throw new Error(`servflow: ${what} not found: ${target}`);
  }
  return element;
}

/** Shows an error message inside the container (replacing nothing else) and logs the cause. */
export function showError(container, title, error) {
  console.error(title, error);
  const box = document.createElement('div');
  box.className = 'sf-error';
  box.setAttribute('role', 'alert');
  const heading = document.createElement('strong');
  heading.textContent = title;
  const detail = document.createElement('pre');
  detail.textContent = (error && error.message) || String(error);
  box.append(heading, detail);
  const warnings = (error && error.warnings) || [];
  if (warnings.length) {
    const list = document.createElement('ul');
    for (const warning of warnings.slice(0, 10)) {
      const item = document.createElement('li');
      item.textContent = warning.message || String(warning);
      list.append(item);
    }
    box.append(list);
  }
  container.prepend(box);
  return box;
}

export function clearErrors(container) {
  container.querySelectorAll(':scope > .sf-error').forEach((box) => box.remove());
}
