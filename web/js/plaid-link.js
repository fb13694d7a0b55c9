// plaid-link.js - loads Plaid Link's script (Plaid's CDN in AWS, the local stand-in in make dev) and opens it as a promise.

import { scriptLoader } from './dom.js';

/** Loads the Link script once; resolves to window.Plaid. Rejects when the script cannot load. */
export const loadLink = scriptLoader(() => (globalThis.Plaid?.create ? globalThis.Plaid : null),
  { notStarted: 'Plaid Link loaded but did not start', notLoaded: 'Plaid Link could not be loaded' });

/**
 * Opens Link with a link token. Resolves to {status: 'success', publicToken, metadata} or
 * {status: 'exit', error, metadata} when the user leaves (error is Plaid's error object or null).
 */
export async function openLink(src, token) {
  const Plaid = await loadLink(src);
  return new Promise((resolve) => {
    let handler = null;
    const done = (result) => {
      resolve(result);
      setTimeout(() => handler?.destroy?.(), 0);
    };
    handler = Plaid.create({
      token,
      onSuccess: (publicToken, metadata) => done({ status: 'success', publicToken, metadata: metadata ?? {} }),
      onExit: (error, metadata) => done({ status: 'exit', error: error ?? null, metadata: metadata ?? {} }),
    });
    handler.open();
  });
}
