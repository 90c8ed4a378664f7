// Fakes for the runtime's environment: a scripted WebSocket, a module
// loader that "executes" modules the test defines, manual timers, a
// recording console and a tiny DOM. Kept outside test/ because
// `node --test test/` runs every .js file under test/ as a test file.

import { createRuntime } from '../runtime.js';

export const EPOCH = 'e1';

export function deferred() {
  let resolve, reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

// Lets pending promise callbacks run (several turns of the microtask queue
// and one macrotask).
export function settle() {
  return new Promise((resolve) => setImmediate(resolve));
}

export function fakeTimers() {
  let next = 1;
  const pending = new Map(); // id → { fn, ms }
  return {
    pending,
    setTimeout: (fn, ms) => {
      const id = next++;
      pending.set(id, { fn, ms });
      return id;
    },
    clearTimeout: (id) => pending.delete(id),
    delays: () => [...pending.values()].map((t) => t.ms),
    // Runs the timers pending now (not those they schedule).
    runAll() {
      const due = [...pending.entries()];
      for (const [id] of due) pending.delete(id);
      for (const [, t] of due) t.fn();
    },
    // Runs the pending timers whose delay is ms.
    run(ms) {
      for (const [id, t] of [...pending.entries()]) {
        if (t.ms === ms) {
          pending.delete(id);
          t.fn();
        }
      }
    },
  };
}

export function fakeConsole() {
  const lines = [];
  const rec =
    (level) =>
    (...args) =>
      lines.push({ level, text: args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ') });
  return { lines, log: rec('log'), debug: rec('debug'), info: rec('info'), warn: rec('warn'), error: rec('error') };
}

export function fakeLocation(href = 'http://localhost:5173/') {
  const u = new URL(href);
  return { protocol: u.protocol, host: u.host, href: u.href, pathname: u.pathname };
}

// harness builds a runtime over fakes. The test defines modules with
// define(path, body): body(hot, url) runs when the module is "executed"
// (load() or a re-import) and returns its exports (or a promise of them).
export function harness(opts = {}) {
  const sockets = [];
  const trace = []; // ordered record of what happened, for order tests
  class FakeWebSocket {
    constructor(url, protocol) {
      this.url = url;
      this.protocol = protocol;
      this.sent = [];
      this.readyState = 0;
      this.closedWith = null;
      this.onopen = this.onmessage = this.onclose = this.onerror = null;
      sockets.push(this);
    }
    send(text) {
      if (this.readyState !== 1) throw new Error('InvalidStateError: not open');
      this.sent.push(text);
    }
    close(code) {
      this.readyState = 3;
      this.closedWith = code;
    }
    // --- the server's side ---
    accept() {
      this.readyState = 1;
      this.onopen?.({});
    }
    push(frame) {
      this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
    }
    drop(code = 1006, reason = '') {
      this.readyState = 3;
      this.onclose?.({ code, reason });
    }
    frames() {
      return this.sent.map((t) => JSON.parse(t));
    }
    // frames without their ids: what the messages ask for.
    messages() {
      return this.frames().map(({ id, ...rest }) => rest);
    }
  }

  const modules = new Map();
  const imports = [];
  let failImport = null; // (url) => Error | undefined
  const timers = fakeTimers();
  const con = fakeConsole();
  let reloads = 0;
  let rt;

  function execute(path, url) {
    const body = modules.get(path);
    if (!body) return { default: url };
    return body(rt.createHotContext(path), url);
  }

  async function importModule(url) {
    imports.push(url);
    trace.push(`import ${url}`);
    const err = failImport && failImport(url);
    if (err) throw err;
    const path = url.replace(/[?&]t=[^&]*$/, '');
    return execute(path, url);
  }

  rt = createRuntime({
    WebSocket: FakeWebSocket,
    location: opts.location || fakeLocation(),
    document: opts.document || null,
    importModule: opts.importModule || importModule,
    reload: () => {
      reloads++;
      trace.push('reload');
    },
    console: con,
    setTimeout: timers.setTimeout,
    clearTimeout: timers.clearTimeout,
    // The top of the range unless a test says otherwise: no jitter, every
    // reconnect delay is its ceiling (100, 200, …, 5000 ms).
    random: opts.random || (() => 1),
    config: opts.config || { token: 'tok', wsPath: '/@hmrd/ws', project: 'app' },
    fetchConfig: opts.fetchConfig,
    fetchedModules: opts.fetchedModules || null,
  });

  let seq = 0;
  const h = {
    rt,
    sockets,
    trace,
    imports,
    timers,
    console: con,
    get reloads() {
      return reloads;
    },
    get ws() {
      return sockets[sockets.length - 1];
    },
    define(path, body) {
      modules.set(path, body);
    },
    load(path) {
      return execute(path, path);
    },
    failImports(fn) {
      failImport = fn;
    },
    // start(), open the socket and say Hello.
    connect({ headSeq = '0', epoch = EPOCH, resumed = false, errors = undefined } = {}) {
      rt.start();
      h.ws.accept();
      h.ws.push({
        project: 'app',
        seq: headSeq,
        epoch,
        hello: {
          protocolVersion: 1,
          daemonVersion: 'dev',
          epoch,
          headSeq,
          root: '/x',
          subscriberId: 's1',
          ...(resumed ? { resumed } : {}),
          ...(errors ? { errors } : {}),
        },
      });
      seq = Number(headSeq);
      return h.ws;
    },
    // send one signal with the next seq.
    signal(kind, body, extra = {}) {
      seq++;
      h.ws.push({ project: 'app', seq: String(seq), epoch: EPOCH, ...extra, [kind]: body });
      return String(seq);
    },
    update(updates, { version = '1700000000001', versions, ...rest } = {}) {
      return h.signal('update', { updates, versions: versions || {}, ...rest }, { version });
    },
    idle: () => rt.idle(),
    logs(level) {
      return con.lines.filter((l) => !level || l.level === level).map((l) => l.text);
    },
  };
  return h;
}

export function jsUpdate(path, acceptedPath = path, extra = {}) {
  return { type: 'UPDATE_TYPE_JS', path, acceptedPath, chain: [acceptedPath, path], ...extra };
}

// ---- a tiny DOM: just what client.js calls ----

export class FakeElement {
  constructor(doc, tag) {
    this.ownerDocument = doc;
    this.localName = tag.toLowerCase();
    this.attributes = new Map();
    this.children = [];
    this.parentNode = null;
    this.listeners = new Map();
    this.textContent = '';
    this.shadowRoot = null;
  }
  getAttribute(name) {
    return this.attributes.has(name) ? this.attributes.get(name) : null;
  }
  setAttribute(name, value) {
    this.attributes.set(name, String(value));
  }
  appendChild(child) {
    child.remove();
    child.parentNode = this;
    this.children.push(child);
    return child;
  }
  after(node) {
    const parent = this.parentNode;
    node.remove();
    parent.children.splice(parent.children.indexOf(this) + 1, 0, node);
    node.parentNode = parent;
  }
  remove() {
    if (!this.parentNode) return;
    const siblings = this.parentNode.children;
    siblings.splice(siblings.indexOf(this), 1);
    this.parentNode = null;
  }
  cloneNode() {
    const clone = new FakeElement(this.ownerDocument, this.localName);
    for (const [k, v] of this.attributes) clone.attributes.set(k, v);
    return clone;
  }
  addEventListener(type, fn) {
    if (!this.listeners.has(type)) this.listeners.set(type, []);
    this.listeners.get(type).push(fn);
  }
  removeEventListener(type, fn) {
    const list = this.listeners.get(type) || [];
    const i = list.indexOf(fn);
    if (i >= 0) list.splice(i, 1);
  }
  dispatchEvent(type, ev = {}) {
    for (const fn of [...(this.listeners.get(type) || [])]) fn({ type, stopPropagation() {}, ...ev });
  }
  attachShadow() {
    this.shadowRoot = new FakeElement(this.ownerDocument, '#shadow-root');
    return this.shadowRoot;
  }
  *descendants() {
    for (const c of this.children) {
      yield c;
      yield* c.descendants();
    }
  }
  // All text below this node, shadow roots included.
  allText() {
    let s = this.textContent || '';
    for (const c of this.children) s += '\n' + c.allText();
    if (this.shadowRoot) s += '\n' + this.shadowRoot.allText();
    return s;
  }
}

export class FakeDocument extends FakeElement {
  constructor() {
    super(null, '#document');
    this.documentElement = this.appendChild(new FakeElement(this, 'html'));
    this.head = this.documentElement.appendChild(new FakeElement(this, 'head'));
    this.body = this.documentElement.appendChild(new FakeElement(this, 'body'));
  }
  createElement(tag) {
    return new FakeElement(this, tag);
  }
  // Supports "tag" and "tag[attr]".
  querySelectorAll(selector) {
    const m = /^([a-z-]+)(?:\[([a-z-]+)\])?$/.exec(selector);
    if (!m) throw new Error('FakeDocument: unsupported selector ' + selector);
    const [, tag, attr] = m;
    return [...this.descendants()].filter((el) => el.localName === tag && (!attr || el.attributes.has(attr)));
  }
  link(href, rel = 'stylesheet') {
    const el = this.createElement('link');
    el.setAttribute('rel', rel);
    el.setAttribute('href', href);
    return this.head.appendChild(el);
  }
}
