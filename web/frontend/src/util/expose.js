/** Adds functions to the global `window.Servflow` namespace shared by all bundles. */
export function expose(api) {
  const namespace = (window.Servflow = window.Servflow || {});
  Object.assign(namespace, api);
  return namespace;
}
