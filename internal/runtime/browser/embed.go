// Package browser embeds hmrd's browser HMR runtime: the ES modules of this
// directory, client.js (the entry) and the modules it imports.
//
// The dev server serves every one of them under /@hmrd/ (client.js at
// /@hmrd/client.js, connection.js at /@hmrd/connection.js, …), client.js
// with one line prepended,
//
//	const __HMRD_CONFIG__ = {"token":"<hex>","wsPath":"/@hmrd/ws","project":"<name>"};
//
// and injects into every module that mentions import.meta.hot
//
//	import { createHotContext as __hmrd_hot } from '/@hmrd/client.js'; import.meta.hot = __hmrd_hot('<module ID>');
//
// The runtime is plain ESM served as is (no build step); its tests run with
// `node --test internal/runtime/browser/test/`. See README.md for the
// modules, the protocol they speak and the behaviour they implement.
package browser

import "embed"

// Files holds the runtime's modules: every .js file of this directory
// (not the tests), as written, without the config line.
//
//go:embed *.js
var Files embed.FS

// Entry is the module pages load and injected imports name; the config
// line goes in front of it only.
const Entry = "client.js"

// RefreshEntry is the Fast Refresh glue: the second module pages load (in
// React and Preact projects, from the dev server's preamble), which the
// modules of components import. It stands apart from client.js, which
// never needs it.
const RefreshEntry = "refresh.js"
