export function load() {
  return import('./file.js').then((file) => file.default);
}
