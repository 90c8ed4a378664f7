// @ts-check
// The error overlay: <hmrd-error-overlay>, a shadow-DOM panel with the
// error's code, file:line:column, message and code frame. Esc or a click
// outside the panel closes it; the runtime clears it after the next update.

import { TAG, errorLocation } from './common.js';

/** @import { Log } from './common.js' */

export const OVERLAY_TAG = 'hmrd-error-overlay';

/**
 * The fields of an hmrd.v1.Error the overlay shows.
 * @typedef {object} OverlayError
 * @property {string} [code]
 * @property {string} [message]
 * @property {string} [module]
 * @property {string} [file]
 * @property {number} [line]
 * @property {number} [column]
 * @property {string} [frame]
 */

/**
 * createOverlay builds the overlay of one runtime.
 * @param {{ document: Document | null, log: Log }} deps
 */
export function createOverlay({ document: doc, log }) {
  /** @type {{ host: Element, onKey: (ev: KeyboardEvent) => void } | null} */
  let overlay = null;

  function clear() {
    if (!overlay || !doc) return;
    const { host, onKey } = overlay;
    overlay = null;
    try {
      doc.removeEventListener('keydown', onKey);
      host.remove();
    } catch {
      // the page removed it already
    }
  }

  /** @param {OverlayError} e */
  function show(e) {
    if (!doc) return;
    const d = doc;
    try {
      clear();
      const host = d.createElement(OVERLAY_TAG);
      const root = host.attachShadow({ mode: 'open' });
      /**
       * @param {string} tag
       * @param {string} [cls]
       * @param {string} [text]
       */
      const el = (tag, cls, text) => {
        const node = d.createElement(tag);
        if (cls) node.setAttribute('class', cls);
        if (text) node.textContent = text;
        return node;
      };
      const style = el('style', '', OVERLAY_CSS);
      const panel = el('div', 'panel');
      panel.appendChild(el('div', 'code', e.code || 'ERROR'));
      const loc = errorLocation(e);
      if (loc) panel.appendChild(el('div', 'file', loc));
      panel.appendChild(el('div', 'message', e.message || ''));
      if (e.frame) panel.appendChild(el('pre', 'frame', e.frame));
      panel.appendChild(el('div', 'tip', 'Fix the file and save: the next update clears this. Click outside or press Esc to close.'));
      panel.addEventListener('click', (ev) => ev.stopPropagation());
      root.appendChild(style);
      root.appendChild(panel);
      /** @param {KeyboardEvent} ev */
      const onKey = (ev) => {
        if (ev && ev.key === 'Escape') clear();
      };
      host.addEventListener('click', () => clear());
      d.addEventListener('keydown', onKey);
      (d.body || d.documentElement).appendChild(host);
      overlay = { host, onKey };
    } catch (err) {
      log('error', `${TAG} cannot show the error overlay:`, err);
    }
  }

  return {
    show,
    clear,
    /** Whether the overlay is on the page. */
    get shown() {
      return overlay !== null;
    },
  };
}

/** @typedef {ReturnType<typeof createOverlay>} Overlay */

const OVERLAY_CSS = `
:host { position: fixed; inset: 0; z-index: 2147483647; display: flex; align-items: flex-start;
  justify-content: center; padding: 8vh 16px; background: rgba(0, 0, 0, 0.66); overflow: auto;
  font: 14px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.panel { box-sizing: border-box; width: 100%; max-width: 960px; padding: 20px 24px; border-radius: 6px;
  border-top: 6px solid #ff5555; background: #181818; color: #d8d8d8; box-shadow: 0 8px 32px rgba(0, 0, 0, 0.4); }
.code { color: #ff5555; font-weight: 600; margin-bottom: 4px; }
.file { color: #2dd9da; margin-bottom: 8px; word-break: break-all; }
.message { color: #ffb86c; white-space: pre-wrap; font-weight: 600; }
.frame { margin: 12px 0 0; padding: 12px; background: #101010; color: #e6e6e6; overflow-x: auto; border-radius: 4px; }
.tip { margin-top: 16px; font-size: 12px; color: #888; }
`;
