// link-initialize.js - local stand-in for Plaid Link's script: window.Plaid.create({token, onSuccess, onExit, onEvent}) backed by the Plaid simulator.
// mynt-local serves it at /plaid/link-initialize.js (make dev). It finds the simulator through /config.json's plaid_url and
// completes Link with POST {plaid_url}/sim/link/complete, so the page never needs to know about the simulator.
(function () {
  'use strict';

  // The simulator's institutions (local/plaid_sim/plaid_data.c); Plaid's real Link has its own search.
  var INSTITUTIONS = [
    { institution_id: 'ins_109508', name: 'First Platypus Bank' },
    { institution_id: 'ins_109509', name: 'First Gingham Credit Union' },
    { institution_id: 'ins_109510', name: 'Tattersall Federal Credit Union' },
    { institution_id: 'ins_109511', name: 'Tartan Bank' },
    { institution_id: 'ins_109512', name: 'Houndstooth Bank' },
  ];
  var STYLE_ID = '__myntLinkStyle';
  var CSS = [
    '.mynt-link-backdrop{position:fixed;inset:0;background:rgba(10,20,16,.55);display:flex;align-items:center;justify-content:center;z-index:2147483000;padding:1rem}',
    '.mynt-link{background:#fff;color:#111;border-radius:16px;width:100%;max-width:24rem;max-height:calc(100vh - 2rem);overflow:auto;box-shadow:0 20px 60px rgba(0,0,0,.3);font:16px/1.5 system-ui,sans-serif;padding:1.25rem 1.25rem 1.5rem}',
    '.mynt-link-top{display:flex;justify-content:space-between;align-items:center;margin-bottom:.5rem}',
    '.mynt-link-brand{font-weight:700;font-size:.85rem;letter-spacing:.08em;text-transform:uppercase;color:#555}',
    '.mynt-link h2{font-size:1.3rem;margin:.25rem 0 .5rem}',
    '.mynt-link p{margin:.4rem 0;color:#444}',
    '.mynt-link ul{list-style:none;padding:0;margin:.75rem 0 0;display:grid;gap:.5rem}',
    '.mynt-link button{font:inherit;cursor:pointer;border-radius:10px;min-height:2.75rem}',
    '.mynt-link .ml-inst{width:100%;text-align:left;padding:.6rem .9rem;border:1px solid #ccd;background:#fafafa}',
    '.mynt-link .ml-inst:hover{background:#f0f4ff}',
    '.mynt-link .ml-close{border:0;background:none;font-size:1.5rem;line-height:1;padding:.25rem .6rem;min-height:auto}',
    '.mynt-link label{display:block;font-weight:600;margin:.75rem 0 .25rem}',
    '.mynt-link input{font:inherit;width:100%;box-sizing:border-box;padding:.5rem .7rem;border:1px solid #aab;border-radius:10px;min-height:2.75rem}',
    '.mynt-link .ml-primary{width:100%;margin-top:1rem;background:#111;color:#fff;border:0;font-weight:600}',
    '.mynt-link .ml-primary:disabled{opacity:.6;cursor:wait}',
    '.mynt-link .ml-back{border:0;background:none;color:#245;text-decoration:underline;padding:0;min-height:auto;margin-top:.75rem}',
    '.mynt-link .ml-error{background:#fdecea;border:1px solid #f3b8b0;color:#7a1d12;border-radius:10px;padding:.5rem .75rem;margin-top:.75rem}',
    '.mynt-link .ml-hint{font-size:.85rem;color:#666}',
    '.mynt-link :focus-visible{outline:3px solid #1a73e8;outline-offset:2px}',
  ].join('\n');

  var configPromise = null;

  /** Resolves to the simulator's base URL from /config.json (plaid_url). */
  function simulatorUrl() {
    if (!configPromise) {
      configPromise = fetch('/config.json', { cache: 'no-store' })
        .then(function (res) { return res.ok ? res.json() : {}; })
        .then(function (config) {
          if (!config.plaid_url) throw linkError('INVALID_CONFIGURATION', 'the local Plaid simulator is not configured (no plaid_url in /config.json)');
          return String(config.plaid_url).replace(/\/+$/, '');
        })
        .catch(function (err) {
          configPromise = null;
          throw err.error_code ? err : linkError('INTERNAL_SERVER_ERROR', 'the app settings (/config.json) could not be read');
        });
    }
    return configPromise;
  }

  function linkError(code, message, type) {
    return {
      error_type: type || 'API_ERROR', error_code: code, error_message: message,
      display_message: message.charAt(0).toUpperCase() + message.slice(1) + '.',
    };
  }

  /** POSTs body to /sim/link/complete; resolves to {ok, status, json}. Network failures resolve with ok=false. */
  function complete(body) {
    return simulatorUrl().then(function (base) {
      return fetch(base + '/sim/link/complete', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
      }).then(function (res) {
        return res.json().then(function (json) { return { ok: res.ok, status: res.status, json: json }; });
      }, function () {
        return { ok: false, status: 0, json: linkError('INTERNAL_SERVER_ERROR', 'the local Plaid simulator cannot be reached') };
      });
    });
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') node.textContent = attrs[k];
      else if (k.indexOf('on') === 0) node.addEventListener(k.slice(2), attrs[k]);
      else if (attrs[k] !== null && attrs[k] !== undefined && attrs[k] !== false) node.setAttribute(k, attrs[k] === true ? '' : attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.append(c); });
    return node;
  }

  function randomId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return b.toString(16).padStart(2, '0'); }).join('');
  }

  /** Plaid.create: returns a handler {open, exit, destroy, submit} as Plaid's script does. */
  function create(config) {
    if (!config || typeof config.token !== 'string' || typeof config.onSuccess !== 'function') {
      throw new Error('Plaid.create needs {token, onSuccess}');
    }
    var sessionId = randomId();
    var root = null;
    var returnFocus = null;
    var institution = null;
    var lastError = null;
    var finished = false;
    var destroyed = false;
    var viewName = 'CONSENT';

    function event(name, extra) {
      if (typeof config.onEvent !== 'function') return;
      var meta = { link_session_id: sessionId, timestamp: new Date().toISOString(), view_name: viewName };
      Object.keys(extra || {}).forEach(function (k) { meta[k] = extra[k]; });
      try { config.onEvent(name, meta); } catch (e) { setTimeout(function () { throw e; }); }
    }

    function close() {
      if (root) {
        document.removeEventListener('keydown', onKey, true);
        root.remove();
        root = null;
      }
      if (returnFocus && typeof returnFocus.focus === 'function' && document.contains(returnFocus)) returnFocus.focus();
      returnFocus = null;
    }

    function finishExit(err, status) {
      if (finished) return;
      finished = true;
      close();
      event('EXIT', { exit_status: status });
      if (typeof config.onExit === 'function') {
        config.onExit(err || null, {
          status: status, institution: institution, link_session_id: sessionId,
          request_id: err && err.request_id ? err.request_id : null,
        });
      }
    }

    function finishSuccess(json) {
      if (finished) return;
      finished = true;
      close();
      event('HANDOFF', {});
      var metadata = {
        institution: json.institution,
        accounts: json.accounts || [],
        link_session_id: sessionId,
        transfer_status: null,
        public_token: json.public_token,
      };
      config.onSuccess(json.public_token, metadata);
    }

    function onKey(e) {
      if (!root) return;
      if (e.key === 'Escape') {
        e.preventDefault();
        finishExit(lastError, 'requires_credentials');
        return;
      }
      if (e.key !== 'Tab') return;
      var focusable = root.querySelectorAll('button:not([disabled]), input:not([disabled])');
      if (!focusable.length) return;
      var first = focusable[0];
      var last = focusable[focusable.length - 1];
      if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last.focus(); }
      else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
      else if (!root.contains(document.activeElement)) { e.preventDefault(); first.focus(); }
    }

    function frame(title, body) {
      var heading = el('h2', { id: 'mynt-link-title', tabindex: '-1', text: title });
      var closeButton = el('button', {
        type: 'button', class: 'ml-close', 'aria-label': 'Close Plaid Link',
        onclick: function () { finishExit(lastError, 'requires_credentials'); },
      }, [document.createTextNode('\u00d7')]);
      var dialog = el('div', { class: 'mynt-link', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'mynt-link-title' }, [
        el('div', { class: 'mynt-link-top' }, [el('span', { class: 'mynt-link-brand', text: 'Plaid \u00b7 local simulator' }), closeButton]),
        heading,
      ].concat(body));
      if (!root) {
        root = el('div', { class: 'mynt-link-backdrop' });
        document.body.append(root);
        document.addEventListener('keydown', onKey, true);
      }
      root.replaceChildren(dialog);
      return heading;
    }

    function showInstitutions() {
      viewName = 'SELECT_INSTITUTION';
      event('TRANSITION_VIEW', {});
      var items = INSTITUTIONS.map(function (inst) {
        return el('li', {}, [el('button', {
          type: 'button', class: 'ml-inst', onclick: function () {
            institution = { institution_id: inst.institution_id, name: inst.name };
            event('SELECT_INSTITUTION', { institution_id: inst.institution_id, institution_name: inst.name });
            showCredentials();
          },
        }, [document.createTextNode(inst.name)])]);
      });
      var heading = frame('Select your bank', [
        el('p', { text: 'This is the local Plaid simulator: no real bank is contacted. To reconnect a bank, choose that bank again.' }),
        el('ul', { 'aria-label': 'Banks' }, items),
      ]);
      heading.focus();
    }

    // The simulator decides whether the token makes a new item or re-logs an existing one (update
    // mode); either way it needs the bank and the credentials, and refuses a bank that is not the
    // item's in update mode.
    function showCredentials() {
      viewName = 'CREDENTIAL';
      event('TRANSITION_VIEW', {});
      var user = el('input', { id: 'mynt-link-username', name: 'username', autocomplete: 'username', value: 'user_good', 'aria-describedby': 'mynt-link-hint' });
      var pass = el('input', { id: 'mynt-link-password', name: 'password', type: 'password', autocomplete: 'current-password', value: 'pass_good', 'aria-describedby': 'mynt-link-hint' });
      var errorBox = el('div', { class: 'ml-error', role: 'alert', hidden: true });
      var submit = el('button', { type: 'submit', class: 'ml-primary' }, [document.createTextNode('Submit')]);
      var form = el('form', { novalidate: true }, [
        el('label', { for: 'mynt-link-username', text: 'Username' }), user,
        el('label', { for: 'mynt-link-password', text: 'Password' }), pass,
        el('p', { id: 'mynt-link-hint', class: 'ml-hint', text: 'Sandbox credentials: user_good / pass_good.' }),
        errorBox, submit,
        el('button', { type: 'button', class: 'ml-back', onclick: showInstitutions }, [document.createTextNode('Choose another bank')]),
      ]);
      form.addEventListener('submit', function (e) {
        e.preventDefault();
        submit.disabled = true;
        submit.textContent = 'Connecting\u2026';
        errorBox.hidden = true;
        event('SUBMIT_CREDENTIALS', {});
        var body = {
          link_token: config.token, institution_id: institution.institution_id, username: user.value, password: pass.value,
        };
        complete(body).then(function (r) {
          if (r.ok) { finishSuccess(r.json); return; }
          lastError = r.json;
          event('ERROR', { error_code: r.json.error_code, error_type: r.json.error_type, error_message: r.json.error_message });
          errorBox.textContent = /does not match the item/.test(r.json.error_message || '')
            ? 'This link reconnects a different bank. Choose the bank you are reconnecting.'
            : r.json.display_message || r.json.error_message || 'Something went wrong.';
          errorBox.hidden = false;
          submit.disabled = false;
          submit.textContent = 'Submit';
          pass.focus();
        }, function (err) {
          lastError = err;
          errorBox.textContent = err.display_message || 'Something went wrong.';
          errorBox.hidden = false;
          submit.disabled = false;
          submit.textContent = 'Submit';
        });
      });
      var heading = frame('Log in to ' + institution.name, [form]);
      heading.focus();
    }

    var handler = {
      open: function () {
        if (destroyed || root) return;
        finished = false;
        lastError = null;
        institution = null;
        returnFocus = document.activeElement;
        event('OPEN', {});
        showInstitutions();
      },
      exit: function (options) {
        if (!root) return;
        if (options && options.force) { finished = true; close(); return; }
        finishExit(lastError, 'requires_credentials');
      },
      destroy: function () {
        destroyed = true;
        finished = true;
        close();
      },
      submit: function () {},
    };
    if (typeof config.onLoad === 'function') setTimeout(config.onLoad, 0);
    return handler;
  }

  // A constructed style sheet (CSSOM), so a page whose CSP has no 'unsafe-inline' for styles takes it like Plaid's own.
  function installStyle() {
    if (window[STYLE_ID]) return;
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    document.adoptedStyleSheets = document.adoptedStyleSheets.concat([sheet]);
    window[STYLE_ID] = sheet;
  }

  installStyle();
  window.Plaid = { create: create, version: 'mynt-local-stand-in' };
}());
