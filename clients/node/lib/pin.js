// @ts-check
// Fingerprint pinning: trust exactly one certificate, named by its SHA-256,
// as the Go client and the hmrd CLI do (--tls-fingerprint). The daemon's
// generated certificate is self-signed and its fingerprint is what the
// daemon prints at start, so a pin needs no CA file copied around.

import net from 'node:net';
import tls from 'node:tls';
import crypto from 'node:crypto';

/**
 * parseFingerprint accepts a SHA-256 fingerprint as hmrd prints it
 * ("sha256:" and 64 hex digits) or as openssl does ("sha256 Fingerprint=AB:CD:…"):
 * an optional prefix, then 64 hex digits, with or without colons, in
 * either case. It returns the 64 lower-case hex digits.
 * @param {string} s
 * @returns {string}
 */
export function parseFingerprint(s) {
  let v = String(s).trim();
  const lower = v.toLowerCase();
  for (const p of ['sha256 fingerprint=', 'sha256:', 'sha256=']) {
    if (lower.startsWith(p)) {
      v = v.slice(p.length);
      break;
    }
  }
  v = v.replaceAll(':', '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(v)) {
    throw new TypeError(`TLS fingerprint ${JSON.stringify(s)}: want a SHA-256 fingerprint, 64 hex digits (sha256:…)`);
  }
  return v;
}

/**
 * certFingerprint is the fingerprint of a DER certificate, as parseFingerprint returns it.
 * @param {Buffer} der
 */
export function certFingerprint(der) {
  return crypto.createHash('sha256').update(der).digest('hex');
}

/**
 * pinnedCertificate fetches the certificate the daemon at host:port
 * presents and returns it as PEM if its fingerprint is pin; otherwise it
 * throws, naming the fingerprint it saw. Nothing but the handshake is sent.
 * The PEM then becomes the channel's only trusted root, and the channel
 * checks the pin again on every handshake (pinCheck), so a certificate
 * swapped after this fetch is refused too.
 * @param {string} host
 * @param {number} port
 * @param {string} pin 64 lower-case hex digits
 * @param {number} timeout ms
 * @returns {Promise<string>}
 */
export function pinnedCertificate(host, port, pin, timeout) {
  return new Promise((resolve, reject) => {
    // Chain and name are not checked here: the pin is the check.
    const sock = tls.connect({ host, port, rejectUnauthorized: false, ALPNProtocols: ['h2'], servername: net.isIP(host) ? undefined : host });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`hmrd connect ${host}:${port}: no TLS handshake within ${timeout} ms`));
    }, timeout);
    sock.once('secureConnect', () => {
      clearTimeout(timer);
      const cert = sock.getPeerCertificate();
      sock.destroy();
      if (!cert || !cert.raw) {
        reject(new Error(`hmrd connect ${host}:${port}: the daemon presented no certificate`));
        return;
      }
      const seen = certFingerprint(cert.raw);
      if (seen !== pin) {
        reject(new Error(`hmrd connect ${host}:${port}: the daemon's certificate has fingerprint sha256:${seen}, not the pinned one`));
        return;
      }
      const b64 = cert.raw.toString('base64').replace(/.{64}/g, '$&\n');
      resolve(`-----BEGIN CERTIFICATE-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END CERTIFICATE-----\n`);
    });
    sock.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`hmrd connect ${host}:${port}: ${err.message}`, { cause: err }));
    });
  });
}

/**
 * pinCheck is a checkServerIdentity that accepts the pinned certificate
 * and nothing else, whatever names it carries.
 * @param {string} pin
 * @returns {(hostname: string, cert: import('node:tls').PeerCertificate) => Error | undefined}
 */
export function pinCheck(pin) {
  return (_hostname, cert) => {
    const seen = cert && cert.raw ? certFingerprint(cert.raw) : '';
    if (seen === pin) return undefined;
    return new Error(`the daemon's certificate has fingerprint sha256:${seen}, not the pinned one`);
  };
}
