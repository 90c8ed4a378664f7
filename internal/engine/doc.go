// Package engine is hmrd's HMR engine for one project: it scans sources,
// resolves their imports, keeps the module graph and turns each batch of
// file changes (or a client's invalidate) into a Plan — the updates, full
// reload, prunes and errors a runtime must see.
//
// A Project is owned by one goroutine: none of its methods may be called
// concurrently. It knows nothing of watchers or transports; the daemon feeds
// it batches and publishes its plans.
//
// Order of work for a batch (docs/design.md#order-of-work-in-a-batch):
//  1. read and scan each changed file; identical content is a no-op;
//  2. propagate with the facts of the running instances (before this batch);
//  3. apply the new facts: edges, newly reachable files, deletions;
//  4. re-derive liveness: modules that lost their last live importer are
//     pruned;
//  5. stamp one version token on the changed modules and their importers.
package engine
