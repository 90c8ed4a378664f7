// For the type check only: the line the dev server prepends to client.js,
// `const __HMRD_CONFIG__ = {…};`, declares this in that module.
declare const __HMRD_CONFIG__: import('./hot.js').HmrdConfig | undefined;
