// Settings: one form per configuration PID, generated from its metatype (type, options, cardinality, default).
// Saving PATCHes only what changed; the API checks it against the metatype, writes conf/ and says when applied.
import { api, get } from './api.js';
import { h, clear, errorBox } from './dom.js';

const SETTINGS = '/redfish/v1/Oem/Pcm/Settings';

export function render(root, params) {
  const list = h('nav', { class: 'pids', id: 'settings-pids' });
  const form = h('div', { class: 'settings-form' });
  root.append(h('h1', null, 'Settings'), h('div', { class: 'split' }, list, form));
  get(SETTINGS).then(c => {
    clear(list).append(...c.Members.map(m => h('a', { href: '#/settings/' + encodeURIComponent(m.Id),
      class: m.Id === params[0] ? 'active' : null, title: m.Bundle }, h('strong', null, m.Name), h('small', null, m.Id))));
  }, e => list.append(errorBox(e)));
  if (params[0]) pid(form, params[0]);
  else form.append(h('p', { class: 'hint' }, 'Choose a component. Every value is checked against its metatype and written to ',
    h('code', null, 'conf/'), ', so it survives a restart.'));
}

function input(a) {
  const id = 'setting-' + a.Id;
  const many = a.Cardinality !== 0;
  const value = a.Value || [];
  if (a.Options && !many) {
    return h('select', { id, name: a.Id }, a.Options.map(o => h('option', { value: o.Value, selected: o.Value === value[0] }, o.Label)));
  }
  if (a.Type === 'Boolean' && !many) return h('input', { id, name: a.Id, type: 'checkbox', checked: value[0] === 'true' });
  if (many) return h('textarea', { id, name: a.Id, rows: Math.max(2, value.length), placeholder: 'one value a line' }, value.join('\n'));
  const numeric = ['Long', 'Integer', 'Short', 'Byte', 'Double', 'Float'].includes(a.Type);
  return h('input', { id, name: a.Id, type: a.Type === 'Password' ? 'password' : 'text', inputmode: numeric ? 'decimal' : null,
    value: value[0] ?? '', autocomplete: 'off' });
}

function read(a, el) {
  if (el.type === 'checkbox') return el.checked ? 'true' : 'false';
  if (el.tagName === 'TEXTAREA') return el.value.split('\n').map(x => x.trim()).filter(x => x !== '');
  return el.value;
}

function same(a, b) {
  return JSON.stringify(Array.isArray(a) ? a : [a]) === JSON.stringify(Array.isArray(b) ? b : [b]);
}

async function pid(root, id) {
  const uri = SETTINGS + '/' + encodeURIComponent(id);
  let s;
  try {
    s = await get(uri);
  } catch (e) {
    root.append(errorBox(e));
    return;
  }
  const status = h('p', { id: 'settings-status', role: 'status', class: 'message' });
  const fields = s.Attributes.map(a => ({ a, el: input(a) }));
  const form = h('form', { id: 'settings-form', class: 'card' },
    h('h2', null, s.Name, ' ', h('small', null, s.Id)),
    s.Description ? h('p', { class: 'hint' }, s.Description) : null,
    h('p', { class: 'hint' }, s.Configured ? `configured in ${s.File}` : `defaults (a change is written to ${s.File})`),
    fields.map(({ a, el }) => h('div', { class: 'field' },
      h('label', { for: el.id }, a.Name, h('small', null, ` ${a.Id} · ${a.Type}${a.Cardinality !== 0 ? ' list' : ''}`)), el,
      a.Description ? h('p', { class: 'hint' }, a.Description, a.Default && a.Default.length ? ` Default: ${a.Default.join(', ')}.` : '') : null)),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'settings-save' }, 'Save')), status);
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    const changes = {};
    for (const { a, el } of fields) {
      if (a.Type === 'Password' && el.value === '') continue;
      const v = read(a, el);
      if (!same(v, a.Value)) changes[a.Id] = v;
    }
    if (!Object.keys(changes).length) {
      status.textContent = 'Nothing changed.';
      return;
    }
    status.textContent = 'Saving…';
    status.className = 'message';
    try {
      const r = await api('PATCH', uri, { Attributes: changes });
      status.textContent = r.data.Applied ? `Applied: ${Object.keys(changes).join(', ')} (written to ${r.data.File}).` : r.data.Message;
      status.className = 'message ' + (r.data.Applied ? 'ok' : 'warning');
      status.dataset.applied = String(!!r.data.Applied);
      s = r.data;
      for (const f of fields) f.a = s.Attributes.find(x => x.Id === f.a.Id) || f.a;
    } catch (e) {
      status.textContent = 'Refused: ' + e.message;
      status.className = 'message error';
      status.dataset.applied = 'false';
    }
  });
  root.append(form);
}
