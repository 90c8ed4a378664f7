// @ts-check
// @hmrd/vite: a Vite plugin that hands a Vite dev server's hot-module
// propagation and signalling to the hmrd daemon. Vite keeps resolving and
// transforming (so framework plugins keep working); the plugin reports
// what Vite's module graph knows after each transform to hmrd as a
// bundler registration, and hmrd decides what each edit does. Vite's own
// propagation is switched off in the `hotUpdate` hook; hmrd's signals are
// held by the plugin's rebuild gate until Vite's graph is invalidated for
// them, and then relayed to Vite's client as the payloads it knows.

import fs from 'node:fs';
import { connect } from '@hmrd/client';
import { toVitePayloads, REASON_EVENT } from './lib/payload.js';
import { factsOf, reported, moduleID, wrapURL } from './lib/facts.js';
import { Registration } from './lib/registration.js';
import { FileSightings } from './lib/sightings.js';

export { toVitePayloads, REASON_EVENT, explicitImportRequired, timestampOf } from './lib/payload.js';
export { factsOf } from './lib/facts.js';

const clientInfo = { name: '@hmrd/vite', version: '0.1.0', kind: 'bundler' };

/**
 * hmrd is the plugin. Put it anywhere in `plugins`: its hooks run after
 * the framework plugins' (order 'post').
 * @param {import('./index.js').HmrdOptions} [options]
 * @returns {import('./index.js').VitePlugin}
 */
export default function hmrd(options = {}) {
  /** @type {Bridge | null} */
  let bridge = null;
  // Vite's major version (0 before Vite 7 told plugins): it decides how
  // payloads spell virtual modules.
  let viteMajor = 0;
  return {
    name: 'hmrd',
    apply: 'serve',
    configResolved() {
      viteMajor = Number(/** @type {any} */ (this).meta?.viteVersion?.split('.')[0]) || 0;
    },
    async configureServer(server) {
      bridge = await Bridge.start(server, options, viteMajor);
      server.httpServer?.once('close', () => bridge?.close());
    },
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        if (!bridge) return [];
        const base = ctx.server?.config.base ?? '/';
        return [{ tag: 'script', attrs: { type: 'module' }, children: reasonSnippet(base), injectTo: 'head' }];
      },
    },
    hotUpdate: {
      order: 'post',
      handler(ctx) {
        if (!bridge || this.environment.name !== 'client') return;
        bridge.sawChange(ctx.file, ctx.modules);
        // hmrd propagates, from its own watcher's view of the file (and
        // from the modules reported changed above): Vite must not.
        return [];
      },
    },
    async buildEnd() {
      bridge?.close();
    },
  };
}

/**
 * reasonSnippet is the page snippet that prints why hmrd reloads the
 * page, just before Vite's client reloads it (the custom event precedes
 * the `full-reload`). It is injected after Vite turned the page's inline
 * scripts into modules, so it asks Vite's client for a hot context itself.
 * @param {string} base Vite's base URL
 */
function reasonSnippet(base) {
  return `import { createHotContext } from ${JSON.stringify(base + '@vite/client')};
createHotContext('/@hmrd/vite/reason').on(${JSON.stringify(REASON_EVENT)}, (d) => {
  console.info('[hmrd] page reload: ' + d.reason + (d.chain && d.chain.length > 1 ? '\\n  ' + d.chain.join(' → ') : ''));
});`;
}

/** Bridge connects one Vite dev server to the daemon. */
class Bridge {
  /**
   * start connects to the daemon, makes sure it watches Vite's root, and
   * opens the registration and the subscription. Without a daemon it
   * warns and returns null: Vite's own HMR stays in charge.
   * @param {import('./index.js').ViteDevServer} server
   * @param {import('./index.js').HmrdOptions} options
   * @param {number} viteMajor
   * @returns {Promise<Bridge | null>}
   */
  static async start(server, options, viteMajor) {
    const logger = server.config.logger;
    const root = fs.realpathSync(server.config.root);
    let client;
    try {
      client = await connect(options.socket, { clientInfo });
    } catch (err) {
      if (options.required) throw err;
      logger.warn(`[hmrd] ${/** @type {Error} */ (err).message}: Vite's own HMR is in charge (start \`hmrd serve\`, or set HMRD_SOCKET)`);
      return null;
    }
    const project = options.project || (await ensureProject(client, root));
    return new Bridge(server, client, project, root, options, viteMajor);
  }

  /**
   * @param {import('./index.js').ViteDevServer} server
   * @param {import('@hmrd/client').Client} client
   * @param {string} project
   * @param {string} root
   * @param {import('./index.js').HmrdOptions} options
   * @param {number} viteMajor
   */
  constructor(server, client, project, root, options, viteMajor) {
    this.server = server;
    this.env = server.environments.client;
    this.client = client;
    this.project = project;
    this.root = root;
    this.logger = server.config.logger;
    this.viteWait = options.viteWait ?? 1000;
    // Vite 8 names a virtual module in payloads (and hot contexts) as its
    // graph does, `\0x`, which is hmrd's ID; earlier Vites as the browser
    // does, `/@id/__x00__x`.
    this.viteURL = viteMajor >= 8 ? (/** @type {string} */ id) => id : wrapURL;
    this.sightings = new FileSightings();
    /** @type {Set<import('./index.js').ViteModuleNode>} */
    this.transformed = new Set();
    this.flushQueued = false;
    this.subscriberId = '';
    this.closed = false;
    /** The version each module was last invalidated at in Vite's graph. @type {Map<string, string>} */
    this.invalidated = new Map();
    this.registration = new Registration(client, {
      project,
      gate: true,
      gateTimeout: options.gateTimeout,
      clientInfo,
      onGateBatch: (b) => this.gate(b),
      onNotFound: () => this.readd(),
      onError: (err) => this.logger.warn(`[hmrd] registration: ${err.message}`),
    });
    this.watchTransforms();
    /** @type {Promise<boolean> | null} */
    this.readding = null;
    this.subscription = this.subscribe();
    this.relay();
    this.logger.info(`[hmrd] propagation by hmrd (project ${project}, daemon at ${client.address})`);
  }

  /**
   * watchTransforms hears of every module Vite's client graph finishes
   * transforming: by then import analysis has recorded its imports and
   * accept calls. The graph has no event for it, so its method is wrapped.
   */
  watchTransforms() {
    const graph = /** @type {any} */ (this.env.moduleGraph);
    const original = graph.updateModuleTransformResult.bind(graph);
    graph.updateModuleTransformResult = (/** @type {any} */ mod, /** @type {any} */ result) => {
      original(mod, result);
      if (result && reported(mod)) this.queueFacts(mod);
    };
  }

  /** @param {import('./index.js').ViteModuleNode} mod */
  queueFacts(mod) {
    this.transformed.add(mod);
    if (this.flushQueued) return;
    this.flushQueued = true;
    // One report for all the modules of a page load.
    setImmediate(() => {
      this.flushQueued = false;
      const mods = [...this.transformed];
      this.transformed.clear();
      this.registration.report(mods.map((m) => factsOf(m)));
      this.registration.flush().then(() => this.reportLoaded(mods));
    });
  }

  /**
   * reportLoaded tells hmrd that a page runs these modules: Vite
   * transforms a module for the client only when a page imports it, so a
   * lazily imported module counts as loaded from then on.
   * @param {import('./index.js').ViteModuleNode[]} mods
   */
  reportLoaded(mods) {
    if (this.closed || mods.length === 0) return;
    this.client.reportLoaded({ project: this.project, modules: mods.map(moduleID) }).catch(() => {
      // A daemon away now will hear of them with the next report.
    });
  }

  /**
   * sawChange is Vite's watcher's view of an edit (its hotUpdate hook,
   * after the framework plugins narrowed the modules). hmrd's watcher sees
   * the file too; modules that file does not back (a virtual module a
   * plugin rebuilds from it) are changes only Vite knows: they are reported.
   * @param {string} file
   * @param {import('./index.js').ViteModuleNode[]} modules
   */
  sawChange(file, modules) {
    this.sightings.saw(file);
    const others = modules.filter((m) => reported(m) && m.file !== file).map(moduleID);
    this.registration.changed(others);
  }

  /**
   * gate runs for each batch before its signals go out: once Vite's
   * watcher has seen the batch's files (its framework plugins update
   * their caches then: plugin-vue decides a template-only edit by them),
   * the modules with new versions are invalidated in Vite's graph at
   * hmrd's version, as Vite's own propagation does, so the page's
   * re-import is transformed afresh and imports its changed dependencies
   * at the same `?t=`.
   * @param {import('@hmrd/client').GateBatch} b
   */
  async gate(b) {
    const graph = this.env.moduleGraph;
    const files = b.changes.map((c) => c.file).filter((f) => f && graph.getModulesByFile(f)?.size);
    await Promise.all(files.map((f) => this.sightings.wait(f, this.viteWait)));
    this.invalidate(b.versions);
  }

  /**
   * invalidate marks modules changed in Vite's client graph at their hmrd
   * versions, once per version: the gate does it ahead of the signals;
   * the relay does it for a batch no gate held (a daemon without
   * registrations, or a gate that timed out).
   * @param {Record<string, string>} versions module ID → version token
   */
  invalidate(versions) {
    const graph = this.env.moduleGraph;
    const seen = new Set();
    for (const [id, version] of Object.entries(versions)) {
      if (this.invalidated.get(id) === version) continue;
      this.invalidated.set(id, version);
      const mod = graph.urlToModuleMap.get(id);
      if (mod) graph.invalidateModule(mod, seen, Number(version) || Date.now(), true);
    }
  }

  /**
   * relay sends each hmrd signal to Vite's client as Vite's payloads. The
   * subscription resumes by itself across disconnects; a daemon that no
   * longer has the project (restarted without it) gets it back.
   */
  async relay() {
    while (!this.closed) {
      try {
        for await (const ev of this.subscription) this.forward(ev);
        return; // closed
      } catch (err) {
        if (this.closed) return;
        if (/** @type {any} */ (err).code !== 'NOT_FOUND') {
          this.logger.error(`[hmrd] subscription ended: ${/** @type {Error} */ (err).message}`);
          return;
        }
        if (!(await this.readd())) return;
        this.subscription = this.subscribe();
        // Edits made while the daemon was without the project were not
        // signalled: as after a daemon restart, the pages start afresh.
        this.forward(projectReaddedReload());
      }
    }
  }

  /** @param {import('@hmrd/client').Event} ev */
  forward(ev) {
    if (ev.kind === 'hello') {
      this.subscriberId = ev.hello.subscriberId;
      return;
    }
    if (ev.kind === 'update') this.invalidate(ev.update.versions);
    const payloads = toVitePayloads(ev, { root: this.root, subscriberId: this.subscriberId, viteURL: this.viteURL });
    this.log(ev);
    for (const p of payloads) this.env.hot.send(p);
  }

  subscribe() {
    return this.client.subscribe({
      project: this.project,
      client: clientInfo,
      onState: (state, err) => {
        if (state === 'reconnecting' && err) this.logger.warn(`[hmrd] ${err.message}: reconnecting`);
      },
    });
  }

  /**
   * readd adds Vite's root to the daemon again, once for the subscription
   * and the registration that both find it gone; it says whether it did.
   * @returns {Promise<boolean>}
   */
  readd() {
    if (!this.readding) {
      this.readding = ensureProject(this.client, this.root)
        .then((name) => {
          this.logger.warn(`[hmrd] the daemon had no project for ${this.root}: added it again as ${name}`);
          this.project = name;
          this.registration.o.project = name;
          return true;
        })
        .catch((err) => {
          this.logger.error(`[hmrd] adding ${this.root} to the daemon again: ${err.message}`);
          return false;
        })
        .finally(() => {
          this.readding = null;
        });
    }
    return this.readding;
  }

  /**
   * log prints what Vite prints for its own signals, with hmrd's reason.
   * @param {import('@hmrd/client').Event} ev
   */
  log(ev) {
    const opts = { timestamp: true, clear: false };
    if (ev.kind === 'update') {
      this.logger.info(`[hmrd] hmr update ${[...new Set(ev.update.updates.map((u) => u.path))].join(', ')}`, opts);
    } else if (ev.kind === 'fullReload') {
      this.logger.info(`[hmrd] page reload ${ev.fullReload.path}: ${ev.fullReload.reason}`, opts);
    } else if (ev.kind === 'error') {
      this.logger.error(`[hmrd] ${ev.error.module}: ${ev.error.message}`, opts);
    }
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    this.subscription.close();
    this.registration.close();
    this.client.close();
  }
}

/**
 * projectReaddedReload is the full reload the pages get when the plugin
 * had to add its project to the daemon again.
 * @returns {import('@hmrd/client').Event}
 */
function projectReaddedReload() {
  return {
    project: '',
    seq: '0',
    epoch: '',
    version: '0',
    time: new Date(),
    changes: [],
    notes: [],
    kind: 'fullReload',
    fullReload: {
      reason: 'the hmrd daemon restarted without this project, and the Vite plugin added it again: edits made meanwhile were not signalled',
      chain: [],
      triggeredBy: '',
      path: '*',
      cause: 'FULL_RELOAD_CAUSE_RESYNC',
    },
  };
}

/**
 * ensureProject is the name of the daemon's project rooted at root,
 * adding it when the daemon does not watch it yet.
 * @param {import('@hmrd/client').Client} client
 * @param {string} root real path
 */
async function ensureProject(client, root) {
  for (const p of await client.listProjects()) {
    let r = p.root;
    try {
      r = fs.realpathSync(p.root);
    } catch {
      // a root that went away: not ours
    }
    if (r === root) return p.name;
  }
  const p = await client.addProject({ root });
  return p.name;
}
