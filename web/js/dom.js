// dom.js - builds DOM nodes from data without innerHTML, so bank and merchant names can never become markup.

/**
 * Creates an element. attrs: `class`, `text`, `on<event>` handlers, `dataset` object,
 * booleans (true sets an empty attribute, false/null/undefined skips it), anything else as an
 * attribute. children: nodes, strings, numbers or (nested) arrays; null/false are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'class') el.className = value;
    else if (name === 'text') el.textContent = value;
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

/** Appends children (as h() takes them) to el; returns el. */
export function append(el, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces el's children with children; returns el. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

const SVG_NS = 'http://www.w3.org/2000/svg';
/** Creates an SVG element (attributes as given, children as h() takes them); returns it. */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value !== null && value !== undefined && value !== false) el.setAttribute(name, String(value));
  }
  return append(el, children);
}

let idCounter = 0;
/** Returns a document-unique id with the given prefix (labels need ids). */
export function uid(prefix) {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/** A labelled form field: returns {wrap, input}. extra: attributes for the input; hint: help text. */
export function field(label, extra = {}, hint = null) {
  const id = uid('f');
  const hintId = hint ? `${id}-hint` : null;
  const input = h('input', { id, 'aria-describedby': hintId, ...extra });
  const wrap = h('div', { class: 'field' },
    h('label', { for: id, text: label }),
    input,
    hint ? h('p', { id: hintId, class: 'hint' }, hint) : null);
  return { wrap, input };
}

/** Small spinner that screen readers skip (the busy state is announced by aria-busy). */
export function spinner() {
  return h('span', { class: 'spinner', 'aria-hidden': 'true' });
}

/**
 * A loader of one script that starts a global: loader(src) resolves to started() once the script at src has run (at
 * once when started() already answers), sharing one load between callers. It rejects with notStarted when the script
 * loads but started() answers nothing, with notLoaded when it cannot load; a failed load is tried again on the next call.
 */
export function scriptLoader(started, { notStarted, notLoaded }) {
  let loading = null;
  return (src) => {
    if (started()) return Promise.resolve(started());
    if (!loading) {
      loading = new Promise((resolve, reject) => {
        const script = document.createElement('script');
        script.src = src;
        script.async = true;
        script.onload = () => (started() ? resolve(started()) : reject(new Error(notStarted)));
        script.onerror = () => reject(new Error(notLoaded));
        document.head.append(script);
      }).catch((err) => { loading = null; throw err; });
    }
    return loading;
  };
}
