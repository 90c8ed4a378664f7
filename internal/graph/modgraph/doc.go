// Package modgraph is hmrd's module graph: one per project, owned and mutated
// by a single goroutine (the project's), read by propagation and snapshots.
//
// Modules have dense integer IDs (Ref) so per-batch scratch state can live in
// slices instead of maps, and a public module ID string (docs/design.md):
// "/src/app.js" inside the root, "/@fs/<abs>" outside it, "/@id/<spec>" for
// external leaves. A file can back two modules: a stylesheet imported from JS
// (a self-accepting JS style module) and the same stylesheet loaded by
// <link rel=stylesheet> (updated as css); they share the ID and differ by Kind.
//
// Each module keeps its imports with their specifiers, so that deleting a
// file turns its importers' edges into unresolved imports, and creating the
// file later resolves them again. Liveness (reachable from an entry) and
// loadedness (reachable through non-dynamic edges, or reported loaded by a
// runtime) are kept up to date incrementally: adding edges only marks, and
// removing edges re-derives the flags from the entries.
//
// The graph is not safe for concurrent use.
package modgraph
