// route.js - pure: the address bar's hash (#/, #/budget, #/?category=…&start_date=…) to a route and its query, and back.

/**
 * Parses a location hash. '#/' and '' → route 'dashboard'; '#/budget?start_date=2026-01-01' →
 * {route: 'budget', query: {start_date: '2026-01-01'}}. The query keeps only non-empty values
 * (the first of a repeated name); it is never null.
 */
export function parseHash(hash) {
  const text = String(hash ?? '').replace(/^#\/?/, '');
  const mark = text.indexOf('?');
  const name = mark < 0 ? text : text.slice(0, mark);
  const query = {};
  if (mark >= 0) {
    for (const [key, value] of new URLSearchParams(text.slice(mark + 1))) {
      if (value !== '' && !(key in query)) query[key] = value;
    }
  }
  return { route: name === '' ? 'dashboard' : name, query };
}

/** The hash for route with query (empty values dropped): ('dashboard', {category: 'X'}) → '#/?category=X'. */
export function hashFor(route, query = {}) {
  const qs = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== '')).toString();
  const path = route === 'dashboard' ? '#/' : `#/${route}`;
  return qs ? `${path}?${qs}` : path;
}
