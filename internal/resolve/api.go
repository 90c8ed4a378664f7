// Package resolve maps (importer, specifier) to a file or an external module,
// the way Node, TypeScript and bundlers do: relative and root-absolute paths,
// extension and index probing, tsconfig paths, package.json imports/exports,
// node_modules lookup, and workspace symlinks followed back into watched
// trees. It reads through vfs.FS so tests run in memory.
package resolve

// Result is where a specifier leads.
type Result struct {
	// Path is the absolute, symlink-resolved file path. Empty when External.
	Path string
	// External is true for bare imports that resolve outside every watched
	// tree (or not at all through node_modules): the module is a leaf
	// identified as /@id/<specifier> and is never watched.
	External bool
}
