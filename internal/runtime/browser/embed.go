// Package browser embeds hmrd's browser HMR runtime, client.js.
//
// The dev server serves ClientJS at /@hmrd/client.js with one line
// prepended,
//
//	const __HMRD_CONFIG__ = {"token":"<hex>","wsPath":"/@hmrd/ws","project":"<name>"};
//
// and injects into every module that mentions import.meta.hot
//
//	import { createHotContext as __hmrd_hot } from '/@hmrd/client.js'; import.meta.hot = __hmrd_hot('<module ID>');
//
// The runtime is plain ESM served as is (no build step); its tests run with
// `node --test internal/runtime/browser/test/`. See README.md for the protocol it
// speaks and the behaviour it implements.
package browser

import _ "embed"

// ClientJS is client.js as written, without the config line.
//
//go:embed client.js
var ClientJS []byte
