// session.js - the signed-in session: tokens in memory, only the refresh token in sessionStorage, refreshed before expiry.

const REFRESH_KEY = 'mynt.refresh';
/** Refresh this long before the ID token expires. */
const REFRESH_MARGIN_MS = 2 * 60 * 1000;
/** A token this close to expiry is refreshed before it is used. */
const USE_MARGIN_MS = 30 * 1000;

/** The claims of a JWT (not verified: for display and timing only; the API verifies). null when unreadable. */
export function jwtClaims(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = decodeURIComponent(Array.from(atob(part), (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join(''));
    return JSON.parse(json);
  } catch {
    return null;
  }
}

/**
 * Creates the session. refreshTokens(refreshToken) must resolve to new tokens or reject;
 * onEnded(reason) is called when the session ends by itself ('expired').
 */
export function createSession({ refreshTokens, storage = globalThis.sessionStorage, onEnded = () => {} }) {
  let tokens = null;   // {idToken, accessToken, refreshToken, expiresAtMs}
  let timer = null;
  let refreshing = null;
  const listeners = new Set();

  const notify = () => { for (const fn of listeners) fn(tokens ? user() : null); };

  function user() {
    const claims = jwtClaims(tokens.idToken) ?? {};
    return { email: claims.email ?? claims['cognito:username'] ?? '', sub: claims.sub ?? '' };
  }

  function schedule() {
    clearTimeout(timer);
    if (!tokens?.refreshToken) return;
    const delay = Math.max(5_000, tokens.expiresAtMs - Date.now() - REFRESH_MARGIN_MS);
    timer = setTimeout(() => { refresh().catch(() => {}); }, delay);
  }

  function set(next) {
    const claims = jwtClaims(next.idToken);
    const expiresAtMs = claims?.exp ? claims.exp * 1000 : Date.now() + (next.expiresIn ?? 3600) * 1000;
    tokens = { idToken: next.idToken, accessToken: next.accessToken, refreshToken: next.refreshToken, expiresAtMs };
    if (next.refreshToken) storage.setItem(REFRESH_KEY, next.refreshToken);
    schedule();
    notify();
  }

  function clear() {
    clearTimeout(timer);
    timer = null;
    tokens = null;
    storage.removeItem(REFRESH_KEY);
    notify();
  }

  /** Exchanges the refresh token for new tokens (one call at a time). Ends the session if refused. */
  function refresh() {
    const refreshToken = tokens?.refreshToken ?? storage.getItem(REFRESH_KEY);
    if (!refreshToken) return Promise.reject(new Error('no session'));
    if (!refreshing) {
      refreshing = refreshTokens(refreshToken)
        .then((next) => { set({ ...next, refreshToken: next.refreshToken ?? refreshToken }); })
        .catch((err) => {
          if (err?.type !== 'NetworkError') { clear(); onEnded('expired'); }
          throw err;
        })
        .finally(() => { refreshing = null; });
    }
    return refreshing;
  }

  return {
    /** Starts a session with tokens from a sign-in. */
    start: set,
    /** Restores a session after a reload from the stored refresh token; resolves to true when signed in. */
    async restore() {
      if (!storage.getItem(REFRESH_KEY)) return false;
      try { await refresh(); return true; } catch { return false; }
    },
    /** The ID token to send to the API, refreshed first when it is about to expire; null when signed out. */
    async idToken() {
      if (!tokens) return null;
      if (tokens.expiresAtMs - Date.now() < USE_MARGIN_MS) {
        try { await refresh(); } catch { return null; }
      }
      return tokens?.idToken ?? null;
    },
    accessToken: () => tokens?.accessToken ?? null,
    /** The refresh token the session holds (to revoke it when signing out); null when none. */
    refreshToken: () => tokens?.refreshToken ?? storage.getItem(REFRESH_KEY),
    signedIn: () => tokens !== null,
    user: () => (tokens ? user() : null),
    /** Forgets every token (memory, storage, timers). */
    clear,
    refresh,
    onChange(fn) { listeners.add(fn); return () => listeners.delete(fn); },
  };
}
