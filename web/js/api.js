// api.js - Mynt's REST API from the browser: bearer token, JSON in and out, typed errors with friendly messages.

/** An API failure. status 0 = the API could not be reached. code is Mynt's error code
 * (e.g. item_login_required) when the API sent one. itemId names the item to reconnect. */
export class ApiError extends Error {
  constructor(status, code, message, itemId = null) {
    super(message || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.itemId = itemId;
  }
}

/** A sentence for a person, for any error an API call can end with. */
export function apiMessage(err) {
  if (!(err instanceof ApiError)) return 'Something unexpected went wrong. Please try again.';
  switch (err.code) {
    case 'item_login_required': return 'Your bank needs you to sign in again before Mynt can read it. Use \u201cReconnect\u201d.';
    case 'duplicate_institution': return 'You have already connected this bank.';
    default: break;
  }
  if (err.status === 0) return 'Mynt cannot be reached. Check your connection and try again.';
  if (err.status === 401) return 'Your session has ended. Please sign in again.';
  if (err.status === 429) return 'Too many requests right now. Wait a moment and try again.';
  if (err.status === 502 || err.status === 503 || err.status === 504) {
    return 'Your bank or our service is having trouble right now. Please try again in a few minutes.';
  }
  if (err.status === 413) return 'That is too much to export at once. Choose a shorter date range.';
  if (err.status === 404) return 'That was not found. It may have been removed already.';
  if (err.status === 400 && err.message) return err.message.charAt(0).toUpperCase() + err.message.slice(1);
  return 'Something went wrong on our side. Please try again.';
}

/**
 * The file name a Content-Disposition header gives (RFC 6266: filename*=UTF-8''… preferred, then
 * filename="…" or a bare token), reduced to a safe base name (no path, no control characters);
 * null when it names none.
 */
export function filenameFromDisposition(header) {
  const text = String(header ?? '');
  let name = null;
  const star = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(text);
  if (star) {
    try { name = decodeURIComponent(star[2].trim()); } catch { name = null; }
  }
  if (name === null) {
    const quoted = /(?:^|;)\s*filename\s*=\s*"((?:[^"\\]|\\.)*)"/i.exec(text);
    const bare = /(?:^|;)\s*filename\s*=\s*([^";\s]+)/i.exec(text);
    if (quoted) name = quoted[1].replace(/\\(.)/g, '$1');
    else if (bare) name = bare[1];
  }
  if (name === null) return null;
  name = name.split(/[\\/]/).pop().replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return name && name !== '.' && name !== '..' ? name : null;
}

/** The query string for params: entries that are undefined, null or '' are left out. */
function queryString(query) {
  return query ? new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== '')).toString() : '';
}

/**
 * Creates the client. baseUrl '' = same origin. token() resolves to the ID token (null = signed
 * out); onUnauthorized() is called on any 401 (the session is over). track(promise) lets the
 * app show a global busy indicator.
 */
export function createApi({ baseUrl, token, onUnauthorized, track = (p) => p, fetchImpl = (...a) => fetch(...a) }) {
  const root = (baseUrl ?? '').replace(/\/+$/, '');

  async function request(method, path, { query, body } = {}) {
    const bearer = await token();
    if (!bearer) {
      onUnauthorized();
      throw new ApiError(401, 'unauthorized', 'Not signed in.');
    }
    const qs = queryString(query);
    const headers = { authorization: `Bearer ${bearer}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res;
    try {
      res = await fetchImpl(`${root}${path}${qs ? `?${qs}` : ''}`, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store',
      });
    } catch {
      throw new ApiError(0, 'network', '');
    }
    if (res.status === 204) return null;
    let json = null;
    try { json = await res.json(); } catch { json = null; }
    if (res.ok) return json;
    if (res.status === 401) onUnauthorized();
    const e = json?.error ?? {};
    throw new ApiError(res.status, e.code ?? null, e.message ?? json?.message ?? '', e.item_id ?? json?.item_id ?? null);
  }

  /** GET path as a file: resolves to {blob, filename (from Content-Disposition, else null)}; failures as request's. */
  async function download(path, query) {
    const bearer = await token();
    if (!bearer) {
      onUnauthorized();
      throw new ApiError(401, 'unauthorized', 'Not signed in.');
    }
    const qs = queryString(query);
    let res;
    try {
      res = await fetchImpl(`${root}${path}${qs ? `?${qs}` : ''}`, { headers: { authorization: `Bearer ${bearer}` }, cache: 'no-store' });
    } catch {
      throw new ApiError(0, 'network', '');
    }
    if (!res.ok) {
      let json = null;
      try { json = await res.json(); } catch { json = null; }
      if (res.status === 401) onUnauthorized();
      const e = json?.error ?? {};
      throw new ApiError(res.status, e.code ?? null, e.message ?? '', null);
    }
    let blob;
    try { blob = await res.blob(); } catch { throw new ApiError(0, 'network', ''); }
    return { blob, filename: filenameFromDisposition(res.headers.get('content-disposition')) };
  }

  const call = (method, path, opts) => track(request(method, path, opts));
  return {
    /** A Link token: new bank (no itemId), update mode for itemId, or update mode with account
     * selection ({accountSelection: true}) so the person can share newly found accounts. */
    linkToken: (itemId, { accountSelection = false } = {}) => call('POST', '/link/token', {
      body: itemId ? { item_id: itemId, ...(accountSelection ? { account_selection: true } : {}) } : {},
    }),
    /** The linked items; quiet: without the global busy indicator (a background re-read). */
    items: ({ quiet = false } = {}) => (quiet ? request('GET', '/items') : call('GET', '/items')),
    addItem: (publicToken, institution) => call('POST', '/items', {
      body: {
        public_token: publicToken,
        ...(institution?.institution_id ? { institution_id: institution.institution_id } : {}),
        ...(institution?.name ? { institution_name: institution.name } : {}),
      },
    }),
    removeItem: (itemId) => call('DELETE', `/items/${encodeURIComponent(itemId)}`),
    /** Asks for a sync of itemId now: resolves to {item} (202); ApiError 429 when it was asked a moment ago. */
    syncItem: (itemId) => call('POST', `/items/${encodeURIComponent(itemId)}/sync`),
    accounts: () => call('GET', '/accounts'),
    transactions: (params) => call('GET', '/transactions', { query: params }),
    /** The CSV of the transactions params names (dates, category, flow, q): {blob, filename}. */
    exportTransactions: (params) => track(download('/transactions/export', params)),
    /** Income, expenses, categories and budgets for {start_date, end_date} (none = the current month). */
    summary: (params) => call('GET', '/summary', { query: params }),
    budgets: () => call('GET', '/budgets'),
    /** Sets the budget of category: {monthly_limit, iso_currency_code} → the budget object. */
    putBudget: (category, budget) => call('PUT', `/budgets/${encodeURIComponent(category)}`, { body: budget }),
    removeBudget: (category) => call('DELETE', `/budgets/${encodeURIComponent(category)}`),
  };
}
