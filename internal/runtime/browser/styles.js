// @ts-check
// Stylesheets in the DOM: the <style> of each style module (updateStyle,
// removeStyle) and the swap of a same-origin <link rel=stylesheet> for a
// CSS update. The DOM calls are few (querySelectorAll, createElement,
// setAttribute, cloneNode, after, remove, addEventListener) so that the
// tests' tiny fake DOM covers them.

import { TAG } from './common.js';

/** @import { RuntimeDeps } from './hot.js' */
/** @import { Log, Timers } from './common.js' */

export const STYLE_ID_ATTR = 'data-hmrd-dev-id';
/** How long a CSS update waits for a new sheet to load before moving on. */
export const CSS_LOAD_WAIT_MS = 5000;

/**
 * @typedef {object} StylesDeps
 * @property {Document | null} document null: no DOM, every call does nothing
 * @property {RuntimeDeps['location']} location
 * @property {Log} log
 * @property {Timers['setTimeout']} setTimeout
 * @property {Timers['clearTimeout']} clearTimeout
 */

/**
 * createStyles builds the style half of a runtime's DOM side.
 * @param {StylesDeps} deps
 */
export function createStyles({ document: doc, location, log, setTimeout, clearTimeout }) {
  /** <link> elements being replaced: never picked again. @type {WeakSet<Element>} */
  const outdatedLinks = new WeakSet();
  /** style module ID → its <style>. @type {Map<string, Element>} */
  const styles = new Map();

  function pageURL() {
    try {
      return new URL(location && location.href ? location.href : 'http://localhost/');
    } catch {
      return new URL('http://localhost/');
    }
  }

  /**
   * swapStylesheets replaces every same-origin <link rel=stylesheet> of path
   * with a clone at ?t=version; it resolves when the clones loaded (or failed,
   * or CSS_LOAD_WAIT_MS passed).
   * @param {string} path
   * @param {string} version
   */
  async function swapStylesheets(path, version) {
    if (!doc) return;
    const want = path.split('?')[0];
    const base = pageURL();
    /** @type {Element[]} */
    let links;
    try {
      links = Array.from(doc.querySelectorAll('link')).filter((link) => {
        if (outdatedLinks.has(link)) return false;
        const rel = String(link.getAttribute('rel') || '').toLowerCase().split(/\s+/);
        if (!rel.includes('stylesheet')) return false;
        const url = linkURL(link, base);
        return url !== null && url.origin === base.origin && samePath(url.pathname, want);
      });
    } catch (err) {
      log('error', `${TAG} css update of ${path} failed:`, err);
      return;
    }
    if (!links.length) {
      log('debug', `${TAG} css update of ${path}: no <link> to update`);
      return;
    }
    await Promise.all(links.map((link) => swapLink(link, base, version)));
    log('debug', `${TAG} css hot updated: ${path}`);
  }

  /**
   * @param {Element} link
   * @param {URL} base
   * @param {string} version
   * @returns {Promise<void>}
   */
  function swapLink(link, base, version) {
    return new Promise((resolve) => {
      try {
        const url = linkURL(link, base);
        if (!url) throw new Error(`bad href ${link.getAttribute('href')}`);
        url.searchParams.set('t', version);
        const clone = /** @type {Element} */ (link.cloneNode(false));
        clone.setAttribute('href', url.pathname + url.search + url.hash);
        outdatedLinks.add(link);
        let done = false;
        /** @type {unknown} */
        let wait = null;
        const finish = () => {
          if (done) return;
          done = true;
          if (wait !== null) clearTimeout(wait);
          try {
            link.remove();
          } catch {
            // already gone
          }
          resolve();
        };
        clone.addEventListener('load', finish);
        clone.addEventListener('error', finish);
        link.after(clone);
        // Do not hold the queue on a sheet that never loads; the old one
        // still goes once the new one loads.
        if (!done) wait = setTimeout(resolve, CSS_LOAD_WAIT_MS);
      } catch (err) {
        log('error', `${TAG} css update failed:`, err);
        resolve();
      }
    });
  }

  /**
   * @param {string} id
   * @returns {Element | null}
   */
  function findStyle(id) {
    const known = styles.get(id);
    if (known) return known;
    if (!doc) return null;
    for (const el of Array.from(doc.querySelectorAll(`style[${STYLE_ID_ATTR}]`))) {
      if (el.getAttribute(STYLE_ID_ATTR) === id) return el;
    }
    return null;
  }

  /**
   * styleLinks are the <link rel=stylesheet> elements that a server
   * rendered for the style module id, marked with its ID as Vite's
   * data-vite-dev-id marks them. Looked up each time: a CSS update
   * replaces a link with a copy of itself.
   * @param {string} id
   * @returns {Element[]}
   */
  function styleLinks(id) {
    if (!doc) return [];
    return Array.from(doc.querySelectorAll(`link[${STYLE_ID_ATTR}]`)).filter(
      (el) => el.getAttribute(STYLE_ID_ATTR) === id && /(^|\s)stylesheet(\s|$)/i.test(el.getAttribute('rel') || ''),
    );
  }

  /**
   * updateStyle sets the CSS of the style module id (one <style> per id).
   * @param {string} id
   * @param {string} css
   */
  function updateStyle(id, css) {
    if (!doc) return;
    try {
      // A server-rendered <link> of the module's stylesheet already
      // applies it (and CSS updates swap it): a <style> beside it would
      // apply it twice.
      if (styleLinks(id).length) return;
      let el = findStyle(id);
      if (!el) {
        el = doc.createElement('style');
        el.setAttribute('type', 'text/css');
        el.setAttribute(STYLE_ID_ATTR, id);
        (doc.head || doc.documentElement).appendChild(el);
      }
      styles.set(id, el);
      el.textContent = css;
    } catch (err) {
      log('error', `${TAG} cannot update style ${id}:`, err);
    }
  }

  /**
   * removeStyle removes the <style> of the style module id.
   * @param {string} id
   */
  function removeStyle(id) {
    if (!doc) return;
    try {
      const el = findStyle(id);
      styles.delete(id);
      if (el) el.remove();
      for (const link of styleLinks(id)) link.remove();
    } catch (err) {
      log('error', `${TAG} cannot remove style ${id}:`, err);
    }
  }

  return { swapStylesheets, updateStyle, removeStyle };
}

/** @typedef {ReturnType<typeof createStyles>} Styles */

/**
 * @param {Element} link
 * @param {URL} base
 * @returns {URL | null}
 */
function linkURL(link, base) {
  try {
    return new URL(link.getAttribute('href') || '', base);
  } catch {
    return null;
  }
}

/**
 * @param {string} pathname
 * @param {string} want
 */
function samePath(pathname, want) {
  if (pathname === want) return true;
  try {
    return decodeURI(pathname) === decodeURI(want);
  } catch {
    return false;
  }
}
