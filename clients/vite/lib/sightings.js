// @ts-check
// FileSightings pairs hmrd's batches with Vite's watcher: a batch's signals
// wait until Vite has seen the edit of each of its files, since Vite's
// framework plugins update what they know of a file then (plugin-vue
// decides a template-only edit by it).

/** How long an unclaimed sighting stays good for a batch, ms. */
const staleAfter = 5000;

export class FileSightings {
  constructor() {
    /** When Vite last saw each file's edit, while no batch has claimed it. @type {Map<string, number>} */
    this.unclaimed = new Map();
    /** @type {Map<string, Set<() => void>>} */
    this.waiters = new Map();
  }

  /**
   * saw records that Vite's watcher handled an edit of file.
   * @param {string} file
   */
  saw(file) {
    const waiting = this.waiters.get(file);
    if (waiting && waiting.size) {
      const first = waiting.values().next().value;
      waiting.delete(/** @type {() => void} */ (first));
      /** @type {() => void} */ (first)();
      return;
    }
    this.unclaimed.set(file, Date.now());
  }

  /**
   * wait resolves once Vite has seen an edit of file not claimed by an
   * earlier batch, or after ms: an edit Vite's watcher misses (a file it
   * does not watch) must not hold the batch for long.
   * @param {string} file
   * @param {number} ms
   * @returns {Promise<boolean>} whether Vite saw it
   */
  wait(file, ms) {
    const at = this.unclaimed.get(file);
    this.unclaimed.delete(file);
    // A sighting claims the batch that follows it. One older than
    // staleAfter belongs to an edit hmrd found no change in (a save of
    // the same bytes); several coalesced into one batch are claimed together.
    if (at !== undefined && Date.now() - at < staleAfter) return Promise.resolve(true);
    return new Promise((resolve) => {
      let set = this.waiters.get(file);
      if (!set) this.waiters.set(file, (set = new Set()));
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        set.delete(done);
        resolve(false);
      }, ms);
      set.add(done);
    });
  }
}
