// pkce.js - Google sign-in through the Cognito hosted UI: authorization code flow with PKCE (S256) and a checked state.
// Pure functions plus two small steps (begin, complete) whose browser dependencies are passed in, so all of it runs under test.

/** Key in sessionStorage for the pending sign-in ({state, verifier, redirectUri, createdAt}). */
export const PENDING_KEY = 'mynt.oauth.pending';
/** A pending sign-in older than this is refused (the user abandoned it). */
export const PENDING_MAX_AGE_MS = 10 * 60 * 1000;

/** An OAuth failure: code is one of no_pending, state_mismatch, expired, provider_error, token_error, network. */
export class OAuthError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'OAuthError';
    this.code = code;
  }
}

/** base64url without padding (RFC 4648 §5) of bytes (Uint8Array or ArrayBuffer). */
export function base64url(bytes) {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = '';
  for (const b of view) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A random base64url string from byteLength random bytes (32 bytes → 43 characters, which
 * is inside PKCE's 43..128 verifier length). */
export function randomString(byteLength = 32, cryptoImpl = globalThis.crypto) {
  const bytes = new Uint8Array(byteLength);
  cryptoImpl.getRandomValues(bytes);
  return base64url(bytes);
}

/** The S256 code challenge for a verifier: base64url(SHA-256(ASCII verifier)). */
export async function codeChallenge(verifier, cryptoImpl = globalThis.crypto) {
  const digest = await cryptoImpl.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(digest);
}

/** 'auth.example.com' or 'https://auth.example.com/' → 'https://auth.example.com'. */
export function domainOrigin(domain) {
  const text = String(domain ?? '').trim().replace(/\/+$/, '');
  if (!text) throw new OAuthError('config', 'No Cognito domain is configured.');
  return /^https?:\/\//i.test(text) ? text : `https://${text}`;
}

/** The hosted UI's /oauth2/authorize URL that sends the user straight to Google. */
export function authorizeUrl({ domain, clientId, redirectUri, state, challenge, provider = 'Google', scope = 'openid email profile' }) {
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    identity_provider: provider,
    scope,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  return `${domainOrigin(domain)}/oauth2/authorize?${params}`;
}

/** A form-encoded POST of fields to the hosted UI's path: {url, init} for fetch. */
function formRequest(domain, path, fields) {
  return {
    url: `${domainOrigin(domain)}${path}`,
    init: { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() },
  };
}

/** The token request for an authorization code: {url, init} for fetch (form-encoded POST). */
export function tokenRequest({ domain, clientId, code, redirectUri, verifier }) {
  return formRequest(domain, '/oauth2/token', {
    grant_type: 'authorization_code', client_id: clientId, code, redirect_uri: redirectUri, code_verifier: verifier,
  });
}

/** The hosted UI's /logout URL: it ends the hosted UI's session and sends the browser to logoutUri (one of the
 * client's LogoutURLs). */
export function logoutUrl({ domain, clientId, logoutUri }) {
  return `${domainOrigin(domain)}/logout?${new URLSearchParams({ client_id: clientId, logout_uri: logoutUri })}`;
}

/** The refresh request of the hosted UI's token endpoint (grant_type refresh_token): {url, init} for fetch. */
export function refreshRequest({ domain, clientId, refreshToken }) {
  return formRequest(domain, '/oauth2/token', { grant_type: 'refresh_token', client_id: clientId, refresh_token: refreshToken });
}

/** The hosted UI's revocation request for a refresh token (/oauth2/revoke; a public client names itself): {url, init}. */
export function revokeRequest({ domain, clientId, token }) {
  return formRequest(domain, '/oauth2/revoke', { token, client_id: clientId });
}

/** Sends a request ({url, init}) with fetchImpl; resolves to the response, or rejects with an Error whose type is
 * 'NetworkError' when the service cannot be reached. */
async function send({ url, init }, fetchImpl) {
  try {
    return await fetchImpl(url, init);
  } catch {
    throw Object.assign(new Error('The sign-in service cannot be reached.'), { type: 'NetworkError' });
  }
}

/** Revokes a refresh token at the hosted UI's /oauth2/revoke: Cognito then refuses it and the tokens issued from it.
 * Resolves when Cognito answers 200 (as it does for a token already revoked); rejects with an Error whose type is
 * 'NetworkError' when the service cannot be reached, else 'RevokeRefused' (with Cognito's error code). */
export async function revokeSignIn(token, { domain, clientId }, { fetchImpl }) {
  const res = await send(revokeRequest({ domain, clientId, token }), fetchImpl);
  if (res.ok) return;
  let body = {};
  try { body = await res.json(); } catch { body = {}; }
  throw Object.assign(new Error('The sign-in service did not revoke the session.'), { type: 'RevokeRefused', code: String(body.error ?? res.status) });
}

/** Cognito's answer to the first Google sign-in after the Pre sign-up trigger linked the identity to an existing
 * user: it still tries to create Google_<id>, fails with this, and the next sign-in is the existing user. */
const LINKED_RE = /^Already found an entry for username /;

/**
 * Whether a callback is that first-link failure for the pending sign-in (same state) and the sign-in has not been
 * restarted for it yet (restarted: true once it has): then the app starts the sign-in again, once.
 */
export function isFirstLinkFailure(callback, pending, restarted) {
  return Boolean(callback?.error === 'invalid_request' && LINKED_RE.test(callback.errorDescription ?? '')
    && pending && typeof pending.state === 'string' && pending.state === callback.state && !restarted);
}

/** Reads an OAuth callback from a query string: {code, state} or {error, errorDescription, state};
 * null when the query is not a callback. */
export function parseCallback(search) {
  const q = new URLSearchParams(search);
  if (q.has('error')) return { error: q.get('error'), errorDescription: q.get('error_description') ?? '', state: q.get('state') };
  if (q.has('code') && q.has('state')) return { code: q.get('code'), state: q.get('state') };
  return null;
}

/** Checks a callback against the stored pending sign-in; returns the verifier and redirect URI to
 * use, or throws an OAuthError. The pending record is single-use: callers delete it first. */
export function checkCallback(callback, pending, nowMs = Date.now()) {
  if (!pending || typeof pending.state !== 'string' || typeof pending.verifier !== 'string') {
    throw new OAuthError('no_pending', 'This sign-in was not started here, or was already used. Please try again.');
  }
  if (callback.state !== pending.state) {
    throw new OAuthError('state_mismatch', 'The sign-in response did not match the request (state mismatch), so it was ignored. Please try again.');
  }
  if (!(nowMs - pending.createdAt <= PENDING_MAX_AGE_MS)) {
    throw new OAuthError('expired', 'The sign-in took too long. Please try again.');
  }
  if (callback.error) {
    const denied = callback.error === 'access_denied';
    throw new OAuthError('provider_error', denied ? 'Sign-in with Google was cancelled.'
      : `Sign-in with Google failed: ${callback.errorDescription || callback.error}.`);
  }
  return { verifier: pending.verifier, redirectUri: pending.redirectUri };
}

/** Reads and deletes the pending sign-in from storage (null when absent or unreadable). */
export function takePending(storage) {
  const text = storage.getItem(PENDING_KEY);
  storage.removeItem(PENDING_KEY);
  if (!text) return null;
  try { return JSON.parse(text); } catch { return null; }
}

/**
 * Starts Google sign-in: stores {state, verifier, redirectUri, createdAt} in storage and returns
 * the authorize URL to navigate to. deps: {storage, cryptoImpl?, nowMs?}.
 */
export async function beginSignIn({ domain, clientId, redirectUri }, { storage, cryptoImpl = globalThis.crypto, nowMs = Date.now() }) {
  const verifier = randomString(48, cryptoImpl);
  const state = randomString(32, cryptoImpl);
  const challenge = await codeChallenge(verifier, cryptoImpl);
  storage.setItem(PENDING_KEY, JSON.stringify({ state, verifier, redirectUri, createdAt: nowMs }));
  return authorizeUrl({ domain, clientId, redirectUri, state, challenge });
}

/** Exchanges a hosted-UI refresh token for new tokens at /oauth2/token; resolves like completeSignIn (the refresh
 * token is carried over: Cognito answers none). Rejects with an Error whose type is 'NetworkError' when the service
 * cannot be reached, or 'NotAuthorizedException' when the token is refused. */
export async function refreshSignIn(refreshToken, { domain, clientId }, { fetchImpl }) {
  const res = await send(refreshRequest({ domain, clientId, refreshToken }), fetchImpl);
  let body = {};
  try { body = await res.json(); } catch { body = {}; }
  if (!res.ok || !body.id_token) throw Object.assign(new Error('The session has ended.'), { type: 'NotAuthorizedException' });
  return { idToken: body.id_token, accessToken: body.access_token, refreshToken: body.refresh_token ?? refreshToken, expiresIn: body.expires_in };
}

/**
 * Finishes Google sign-in for a parsed callback: consumes the pending record, checks state, and
 * exchanges the code at /oauth2/token. Resolves to {idToken, accessToken, refreshToken, expiresIn};
 * rejects with an OAuthError (the token endpoint is not called when the state does not match).
 * deps: {storage, fetchImpl, nowMs?}.
 */
export async function completeSignIn(callback, { domain, clientId }, { storage, fetchImpl, nowMs = Date.now() }) {
  const { verifier, redirectUri } = checkCallback(callback, takePending(storage), nowMs);
  const { url, init } = tokenRequest({ domain, clientId, code: callback.code, redirectUri, verifier });
  let res;
  try {
    res = await fetchImpl(url, init);
  } catch {
    throw new OAuthError('network', 'The sign-in service cannot be reached. Please try again.');
  }
  let body = {};
  try { body = await res.json(); } catch { body = {}; }
  if (!res.ok || !body.id_token) {
    throw new OAuthError('token_error', 'Google sign-in could not be completed (the code was refused). Please try again.');
  }
  return { idToken: body.id_token, accessToken: body.access_token, refreshToken: body.refresh_token, expiresIn: body.expires_in };
}
