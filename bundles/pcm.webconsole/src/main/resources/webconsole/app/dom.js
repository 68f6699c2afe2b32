// Building the page from data without innerHTML: every value the API sends is text, never markup.

const SVG = 'http://www.w3.org/2000/svg';

function apply(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value' && 'value' in el) el.value = v;
    else if (k === 'checked' && 'checked' in el) el.checked = !!v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** An HTML element: h('td', {class: 'x'}, 'text', child, [more]). */
export function h(tag, attrs, ...children) {
  return append(apply(document.createElement(tag), attrs), children);
}

/** An SVG element. */
export function s(tag, attrs, ...children) {
  return append(apply(document.createElementNS(SVG, tag), attrs), children);
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

/** A table with a header row and one row per item (cells: functions of the item giving text or nodes). */
export function table(columns, items, rowAttrs) {
  return h('table', { class: 'grid' },
    h('thead', null, h('tr', null, columns.map(c => h('th', null, c.title)))),
    h('tbody', null, items.map(item => h('tr', rowAttrs ? rowAttrs(item) : null,
      columns.map(c => h('td', c.attrs ? c.attrs(item) : null, c.cell(item)))))));
}

export function badge(outcome) {
  return h('span', { class: 'badge ' + String(outcome || 'NONE').toLowerCase() }, outcome || 'NONE');
}

export function errorBox(e) {
  return h('p', { class: 'error', role: 'alert' }, e && e.message ? e.message : String(e));
}

export function time(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return d.toLocaleTimeString([], { hour12: false }) + '.' + String(d.getMilliseconds()).padStart(3, '0');
}

/** Calls fn at most once per `millis` (the last call wins): live events come in bursts. */
export function debounce(fn, millis) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), millis);
  };
}
