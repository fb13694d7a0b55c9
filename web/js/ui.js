// ui.js - small shared pieces of the interface: busy buttons, alerts, form checks, the live announcer, the progress bar.
import { h, replace, spinner } from './dom.js';

/** Runs fn while button shows busyLabel and a spinner and cannot be pressed again; restores it after. */
export async function withBusy(button, busyLabel, fn) {
  const label = button.dataset.label ?? button.textContent;
  button.dataset.label = label;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  replace(button, spinner(), ' ', busyLabel);
  try {
    return await fn();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    replace(button, label);
  }
}

/** An alert region: show(message, kind) / clear(). Empty until shown; role=alert is announced. */
export function alertBox() {
  const el = h('div', { class: 'alert', role: 'alert', hidden: true });
  return {
    el,
    show(message, kind = 'error', ...extra) {
      el.className = `alert alert-${kind}`;
      el.setAttribute('role', kind === 'error' || kind === 'warning' ? 'alert' : 'status');
      replace(el, h('p', {}, message), ...extra);
      el.hidden = false;
    },
    clear() {
      el.hidden = true;
      replace(el);
    },
  };
}

/** Runs handler on form's submit in place of the browser's, after clearing errors and the form's invalid marks. */
export function onSubmit(form, errors, handler) {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
    errors.clear();
    handler();
  });
}

/** Shows message in errors, marks input invalid and focuses it; returns false. */
export function markInvalid(errors, input, message) {
  errors.show(message);
  input.setAttribute('aria-invalid', 'true');
  input.focus();
  return false;
}

let announcing = [];
/** Says message to screen readers through the page's polite live region; messages said within the
 * same moment are read together, so a later one never silences an earlier one. */
export function announce(message) {
  const el = document.getElementById('announcer');
  if (!el) return;
  announcing.push(message);
  if (announcing.length > 1) return;
  el.textContent = '';
  setTimeout(() => {
    el.textContent = announcing.join(' ');
    announcing = [];
  }, 50);
}

let inFlight = 0;
/** Shows the top progress bar while promise is pending; returns promise. */
export function track(promise) {
  const bar = document.getElementById('progress');
  inFlight += 1;
  if (bar) bar.hidden = false;
  const done = () => {
    inFlight -= 1;
    if (bar && inFlight === 0) bar.hidden = true;
  };
  promise.then(done, done);
  return promise;
}

/** Moves keyboard focus to el (made focusable when it is not), e.g. a view's heading. */
export function focusElement(el) {
  if (!el) return;
  if (!el.hasAttribute('tabindex') && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(el.tagName)) el.setAttribute('tabindex', '-1');
  el.focus({ preventScroll: false });
}

/** A password input with a Show/Hide toggle button; returns {wrap, input}. */
export function passwordField(label, autocomplete, hint = null) {
  const id = `pw-${Math.random().toString(36).slice(2, 8)}`;
  const hintId = hint ? `${id}-hint` : null;
  const input = h('input', { id, type: 'password', name: 'password', autocomplete, required: true, 'aria-describedby': hintId });
  const what = label.toLowerCase();
  const toggle = h('button', {
    type: 'button', class: 'link-button toggle', 'aria-controls': id,
    onclick: () => {
      const show = input.type === 'password';
      input.type = show ? 'text' : 'password';
      replace(toggle, show ? 'Hide' : 'Show', h('span', { class: 'sr-only' }, ` ${what}`));
    },
  }, 'Show', h('span', { class: 'sr-only' }, ` ${what}`));
  const wrap = h('div', { class: 'field' },
    h('label', { for: id, text: label }),
    h('div', { class: 'input-with-button' }, input, toggle),
    hint ? h('div', { id: hintId, class: 'hint' }, hint) : null);
  return { wrap, input };
}
