// Package devserver is hmrd's native-ESM dev server: it serves one
// project's root over HTTP so that a browser runs the sources as ES
// modules with hot module replacement, without a bundler.
//
// What a request gets:
//
//   - "/", a directory: its index.html. HTML pages get the runtime
//     (<script type="module" src="/@hmrd/client.js">) injected after
//     <head>, the import specifiers of their inline module scripts
//     rewritten, and the relative url()s of their inline <style>s made
//     root-absolute (resolved against the page).
//   - A navigation (Sec-Fetch-Dest: document, or Accept: text/html) to a
//     path without an extension that opens no file: NAME.html when it
//     exists, else the root's index.html (Vite's SPA fallback), with the
//     relative src and href of its scripts and stylesheets made
//     root-absolute and its client <script> naming the page
//     (data-hmrd-page) so that a reload of the page reaches the tab.
//   - .js .mjs .cjs .jsx .ts .mts .cts .tsx: esbuild's transform (nothing
//     lowered; JSX and TypeScript options from the tsconfig that includes
//     the file, tsconfig.go), import specifiers rewritten to module URLs as the graph
//     resolves them, "?import" for non-JS targets and "?t=<version>" for
//     changed ones; import.meta.hot set up from the runtime when the
//     module uses it; import.meta.env written in when the module reads it
//     (Vite's keys and the VITE_ and HMRD_ variables of the root's .env
//     files, env.go); the source map inline, exact after the rewrites.
//   - "?import" on a stylesheet, JSON file or asset: a JS module (a style
//     module that installs the sheet, the JSON as default export and its
//     top-level keys as named exports, the URL as default export, with
//     "?t=<version>" once the asset changed). Without it: the file itself.
//     A file type a browser cannot run and hmrd does not compile (.vue,
//     .svelte, …): a module that throws, naming the integration that does.
//   - Vite's query suffixes on any file (query.go): "?raw" its text,
//     "?url" its URL, "?inline" a stylesheet's text or an asset's data:
//     URL, "?worker" and "?sharedworker" a constructor of a module worker
//     running it, "?worker&url" the worker's URL.
//   - /@hmrd/client.js: the runtime's entry module with its configuration
//     (the token); /@hmrd/<name>.js: the runtime's other modules, as they
//     are.
//   - /@id/<package>: the package's entry in the dependency bundle: one
//     esbuild build with code splitting over every package the project
//     imports (deps.go), so packages shared by several entries are loaded
//     once, with the named exports of CommonJS packages made static;
//     /@id/_hmrd/<chunk>: the bundle's shared chunks. The bundle is cached
//     in node_modules/.hmrd/deps (depscache.go).
//   - A file missing from the root that public/ has: that file, as it is.
//   - /@fs/<absolute path>: only for files inside the root.
//
// Security (docs/design.md#security-defaults): every request passes the
// httpguard Host check (DNS rebinding) first; only GET and HEAD are answered; every response
// carries nosniff and Cross-Origin-Resource-Policy: same-origin and never
// Access-Control-Allow-Origin. Every file access goes through one check,
// Server.open: the request path is validated as sent (cleanPath: no
// traversal, encoded slashes, double encoding, backslashes, NUL), opened
// through an os.Root, and the deny list (.env*, .git, .npmrc, key and
// certificate files, dotfiles) is applied to the requested and the resolved
// path. Queries never select a file or skip the check. A refused path is
// answered exactly like a missing one: 404, or the fallback page for a
// navigation.
//
// The server asks the daemon's graph (control.Service.ServeModule) where
// each specifier leads; that call also marks the module loaded, so edits to
// lazily imported modules propagate once a page fetched them. A module the
// graph does not know is still served, with its specifiers as written.
//
// Concurrency: a Server is safe for concurrent use. Requests share only
// the root handle (re-opened, under a mutex, when the root path names
// another directory; checked every second as well, so that a deleted root
// is let go of and the kernel reports its deletion), the dependency bundle
// (an immutable value swapped under a mutex; one build runs at a time and
// concurrent requests that need it wait for it) and the tsconfig cache (a
// mutex-guarded map of immutable entries). Graph calls run on the
// project's goroutine inside the service.
package devserver
