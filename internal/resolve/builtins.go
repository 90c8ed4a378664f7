package resolve

// nodeBuiltins are Node's built-in modules importable without the "node:"
// prefix (module.builtinModules of Node 22, minus the underscore-prefixed
// internals). Prefix-only modules (node:test, node:sqlite, node:sea) need no
// entry: every "node:" specifier is external by its scheme.
var nodeBuiltins = map[string]bool{
	"assert": true, "assert/strict": true, "async_hooks": true, "buffer": true,
	"child_process": true, "cluster": true, "console": true, "constants": true,
	"crypto": true, "dgram": true, "diagnostics_channel": true, "dns": true,
	"dns/promises": true, "domain": true, "events": true, "fs": true,
	"fs/promises": true, "http": true, "http2": true, "https": true,
	"inspector": true, "inspector/promises": true, "module": true, "net": true,
	"os": true, "path": true, "path/posix": true, "path/win32": true,
	"perf_hooks": true, "process": true, "punycode": true, "querystring": true,
	"readline": true, "readline/promises": true, "repl": true, "stream": true,
	"stream/consumers": true, "stream/promises": true, "stream/web": true,
	"string_decoder": true, "sys": true, "timers": true, "timers/promises": true,
	"tls": true, "trace_events": true, "tty": true, "url": true, "util": true,
	"util/types": true, "v8": true, "vm": true, "wasi": true,
	"worker_threads": true, "zlib": true,
}

// isBuiltin reports whether spec names a Node built-in module.
func isBuiltin(spec string) bool { return nodeBuiltins[spec] }
