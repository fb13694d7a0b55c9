// app.js - Mynt's web app entry: reads /config.json, finishes a Google sign-in, restores the session and routes between views.
import { h, replace } from './js/dom.js';
import { createCognito, cognitoEndpoint } from './js/cognito.js';
import { createSession } from './js/session.js';
import { createApi } from './js/api.js';
import {
  beginSignIn, completeSignIn, parseCallback, refreshSignIn, revokeSignIn, isFirstLinkFailure, takePending, logoutUrl, PENDING_KEY,
} from './js/pkce.js';
import { track, withBusy } from './js/ui.js';
import { signInView, signUpView, confirmView, forgotView, callbackView } from './js/views/auth.js';
import { dashboardView } from './js/views/dashboard.js';
import { budgetView } from './js/views/budget.js';
import { parseHash } from './js/route.js';
import { loadLink } from './js/plaid-link.js';

const PLAID_CDN = 'https://cdn.plaid.com/link/v2/stable/link-initialize.js';
const ROUTES = {
  'sign-in': signInView, 'sign-up': signUpView, confirm: confirmView, forgot: forgotView, dashboard: dashboardView, budget: budgetView,
};
/** The signed-in sections, in the header's navigation. */
const SECTIONS = [{ route: 'dashboard', label: 'Overview', href: '#/' }, { route: 'budget', label: 'Budget', href: '#/budget' }];
const SIGNED_OUT = new Set(['sign-in', 'sign-up', 'confirm', 'forgot']);
/** sessionStorage: "hosted-ui" while the session came from the hosted UI (its refresh token goes back there). */
const VIA_KEY = 'mynt.session.via';
/** sessionStorage: set while a Google sign-in is restarted after Cognito's first-link failure (once only). */
const RELINK_KEY = 'mynt.oauth.restarted';
/** sessionStorage: how a sign-out ended, carried across the hosted UI's /logout to the sign-in view (read once). */
const SIGNED_OUT_KEY = 'mynt.signed-out';
/** What the sign-in view says after a sign-out: the session ended at Cognito, or only here (the revoke failed). */
const SIGNED_OUT_FLASH = {
  revoked: ['You are signed out.', 'success'],
  local: ['You are signed out on this device. Mynt could not reach the sign-in service to end the session there too, '
    + 'so it ends by itself within 30 days.', 'info'],
};

const main = document.getElementById('main');
const accountMenu = document.getElementById('account-menu');
const sectionsNav = document.getElementById('sections');

// The skip link's target is <main>, but the hash is the app's route: move the focus there without following the link.
document.querySelector('.skip-link')?.addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});

function routeFromHash() {
  return parseHash(location.hash).route;
}

/** Shows a failure that stops the app from starting at all. */
function fatal(message) {
  replace(main, h('div', { class: 'card fatal', role: 'alert' },
    h('h1', {}, 'Mynt cannot start'), h('p', {}, message),
    h('button', { type: 'button', class: 'button button-primary', onclick: () => location.reload() }, 'Reload')));
}

async function loadConfig() {
  const res = await fetch('/config.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`config.json answered ${res.status}`);
  const config = await res.json();
  for (const key of ['region', 'user_pool_id', 'client_id']) {
    if (!config[key]) throw new Error(`config.json has no ${key}`);
  }
  config.api_url = config.api_url ?? '';
  config.plaid_link_script = config.plaid_link_script || (config.mode === 'local' ? '/plaid/link-initialize.js' : PLAID_CDN);
  return config;
}

async function start() {
  let config;
  try {
    config = await loadConfig();
  } catch {
    fatal('Its settings (/config.json) could not be loaded. Check your connection and reload the page.');
    return;
  }

  const cognito = createCognito({ endpoint: cognitoEndpoint(config), clientId: config.client_id, fetchImpl: (...a) => track(fetch(...a)) });
  let flash = null;
  let started = false;

  const app = {
    config,
    cognito,
    localMode: config.mode === 'local',
    pending: null,
    setFlash(message, kind = 'info') { flash = { message, kind }; },
    takeFlash() { const f = flash; flash = null; return f; },
    navigate(route) {
      const hash = route === 'dashboard' ? '#/' : `#/${route}`;
      if (!started) history.replaceState(null, '', `${location.pathname}${location.search}${hash}`);
      else if (location.hash === hash || (route === 'dashboard' && location.hash === '')) render();
      else location.hash = hash;
    },
    async startGoogle() {
      const url = await beginSignIn({ domain: config.cognito_domain, clientId: config.client_id, redirectUri: `${location.origin}/` },
        { storage: sessionStorage });
      location.assign(url);
    },
  };

  const hostedUi = { domain: config.cognito_domain, clientId: config.client_id };
  app.session = createSession({
    refreshTokens: (token) => (sessionStorage.getItem(VIA_KEY) === 'hosted-ui'
      ? track(refreshSignIn(token, hostedUi, { fetchImpl: (...a) => fetch(...a) }))
      : cognito.refresh(token)),
    onEnded: () => {
      app.setFlash('Your session has ended. Please sign in again.', 'info');
      app.navigate('sign-in');
    },
  });
  app.api = createApi({
    baseUrl: config.api_url,
    token: () => app.session.idToken(),
    track,
    onUnauthorized: () => {
      if (!app.session.signedIn() && SIGNED_OUT.has(routeFromHash())) return;
      app.session.clear();
      app.setFlash('Your session has ended. Please sign in again.', 'info');
      app.navigate('sign-in');
    },
  });

  /**
   * Signs out: revokes the session's refresh token at Cognito (the hosted UI's /oauth2/revoke for a Google session,
   * RevokeToken otherwise, and RevokeToken when /oauth2/revoke cannot be read from the page), so it and the tokens
   * issued from it are refused there; then forgets every token here, even when the revoke failed. A hosted-UI session
   * then ends at /logout too, which comes back to the sign-in view.
   */
  async function signOutNow() {
    const viaHostedUi = sessionStorage.getItem(VIA_KEY) === 'hosted-ui';
    const refreshToken = app.session.refreshToken();
    let ended = 'revoked';
    let reachable = true;
    if (refreshToken) {
      const viaApi = () => cognito.revokeToken(refreshToken);
      try {
        await track(viaHostedUi ? revokeSignIn(refreshToken, hostedUi, { fetchImpl: (...a) => fetch(...a) })
          .catch((err) => { if (err?.type === 'NetworkError') return viaApi(); throw err; }) : viaApi());
      } catch (err) {
        ended = 'local';
        reachable = err?.type !== 'NetworkError';
      }
    }
    app.session.clear();
    app.pending = null;
    if (viaHostedUi && reachable) {
      sessionStorage.setItem(SIGNED_OUT_KEY, ended);
      location.assign(logoutUrl({ ...hostedUi, logoutUri: `${location.origin}/` }));
      return;
    }
    app.setFlash(...SIGNED_OUT_FLASH[ended]);
    app.navigate('sign-in');
  }

  function renderAccountMenu(user) {
    if (!user) { replace(accountMenu); return; }
    const signOut = h('button', { type: 'button', class: 'button button-quiet' }, 'Sign out');
    signOut.addEventListener('click', () => withBusy(signOut, 'Signing out\u2026', signOutNow));
    replace(accountMenu, h('span', { class: 'who' }, user.email), signOut);
  }
  app.session.onChange(renderAccountMenu);
  app.session.onChange((user) => { if (!user) sessionStorage.removeItem(VIA_KEY); });

  /** The header's section links (signed in only), the current one marked. */
  function renderSections(route) {
    if (!app.session.signedIn() || SIGNED_OUT.has(route)) {
      sectionsNav.hidden = true;
      replace(sectionsNav);
      return;
    }
    sectionsNav.hidden = false;
    replace(sectionsNav, h('ul', {}, SECTIONS.map((s) => h('li', {},
      h('a', { href: s.href, 'aria-current': s.route === route ? 'page' : null }, s.label)))));
  }

  function render() {
    const parsed = parseHash(location.hash);
    let route = parsed.route;
    let query = parsed.query;
    if (!ROUTES[route]) route = app.session.signedIn() ? 'dashboard' : 'sign-in';
    if (!SIGNED_OUT.has(route) && !app.session.signedIn()) route = 'sign-in';
    else if (SIGNED_OUT.has(route) && app.session.signedIn()) route = 'dashboard';
    if (route !== parsed.route) query = {};
    // A signed-in view keeps its query (#/?category=…); any other hash is put back to the route's own.
    const own = route === 'dashboard' ? '#/' : `#/${route}`;
    const keep = route === parsed.route && !SIGNED_OUT.has(route) && (location.hash === '' || location.hash.startsWith(own));
    if (!keep && location.hash !== own) {
      history.replaceState(null, '', `${location.pathname}${location.search}${own}`);
    }
    renderSections(route);
    const current = ROUTES[route](app, query);
    document.title = route === 'dashboard' ? 'Mynt \u2014 your money' : `Mynt \u2014 ${current.view.querySelector('h1')?.textContent ?? ''}`;
    replace(main, current.view);
    current.focus();
    if (route === 'dashboard') loadLink(config.plaid_link_script).catch(() => {});
  }

  // Back from the hosted UI's /logout: say how the sign-out ended, once.
  const signedOut = sessionStorage.getItem(SIGNED_OUT_KEY);
  sessionStorage.removeItem(SIGNED_OUT_KEY);
  if (Object.hasOwn(SIGNED_OUT_FLASH, signedOut ?? '')) app.setFlash(...SIGNED_OUT_FLASH[signedOut]);

  // A Google sign-in returning from the hosted UI: take the code out of the address bar first.
  const callback = parseCallback(location.search);
  if (callback) {
    history.replaceState(null, '', `${location.pathname}${location.hash}`);
    const waiting = callbackView();
    replace(main, waiting.view);
    waiting.focus();
    // The first Google sign-in of someone who already has a password account is refused once by Cognito, after
    // its Pre sign-up trigger linked the two: start it again (once); the next one signs in as that account.
    let pending = null;
    try { pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? 'null'); } catch { pending = null; }
    if (isFirstLinkFailure(callback, pending, sessionStorage.getItem(RELINK_KEY) === '1')) {
      takePending(sessionStorage);
      sessionStorage.setItem(RELINK_KEY, '1');
      await app.startGoogle();
      return;
    }
    sessionStorage.removeItem(RELINK_KEY);
    try {
      app.session.start(await track(completeSignIn(callback, hostedUi,
        { storage: sessionStorage, fetchImpl: (...a) => fetch(...a) })));
      sessionStorage.setItem(VIA_KEY, 'hosted-ui');
      history.replaceState(null, '', `${location.pathname}#/`);
    } catch (err) {
      app.setFlash(err.message, 'error');
      history.replaceState(null, '', `${location.pathname}#/sign-in`);
    }
  } else if (await app.session.restore()) {
    if (SIGNED_OUT.has(routeFromHash())) history.replaceState(null, '', `${location.pathname}#/`);
  }

  started = true;
  window.addEventListener('hashchange', render);
  render();
}

start().catch(() => fatal('Something unexpected stopped the app. Reload the page to try again.'));
