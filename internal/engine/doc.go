// Package engine is hmrd's HMR engine for one project: it scans sources,
// resolves their imports, keeps the module graph and turns each batch of
// file changes (or a client's invalidate) into a Plan — the updates, full
// reload, prunes and errors a runtime must see.
//
// A Project is owned by one goroutine: none of its methods may be called
// concurrently. It knows nothing of watchers or transports; the daemon feeds
// it batches and publishes its plans.
//
// Project.Apply turns a batch into a plan in stages, each a method in
// apply.go (docs/design.md#order-of-work-in-a-batch explains the order):
//  1. classify: dedupe the paths, drop them from the resolver's caches, and
//     sort them into files the graph knows, new files, removed directories
//     and configuration files;
//  2. scanChanged: read and scan each changed file; identical content is a
//     no-op, and a file that had content and reads empty is read again
//     for a moment (a save in place);
//  3. relinkImports: find the imports that did not resolve and now do;
//  4. propagateChanges: propagate with the facts of the running instances
//     (before this batch); a deleted module is no boundary;
//  5. applyFacts: apply the new facts: edges, newly reachable files,
//     deletions, configuration changes;
//  6. refreshLiveness: re-derive liveness; modules that lost their last live
//     importer are pruned, and so are deleted modules nothing live imports
//     any more (held.go);
//  7. stampVersions: stamp one version token on the changed modules, the
//     modules that came back after a delete, and their importers.
package engine
