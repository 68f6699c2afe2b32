// Window browser: the store's windows (filtered by verdict, paged), and one window — its verdicts and where it
// diverged, its snapshots' summary, its events paged and filtered by kind, verifying it again as a task.
import { api, get, followTask } from './api.js';
import { h, clear, table, badge, errorBox, time, debounce } from './dom.js';

const WINDOWS = '/redfish/v1/Oem/Pcm/Windows';
const VERIFY = '/redfish/v1/Systems/guest/LogServices/Verdicts/Actions/Oem/Pcm.Verify';
const PAGE = 25;

export function render(root, params) {
  return params[0] ? detail(root, params[0]) : list(root);
}

function pager(id, skip, total, size, go) {
  return h('div', { class: 'pager', id },
    h('button', { type: 'button', class: 'prev', disabled: skip <= 0, onclick: () => go(Math.max(0, skip - size)) }, '‹ previous'),
    h('span', { class: 'range' }, total ? `${skip + 1}–${Math.min(skip + size, total)} of ${total}` : 'none'),
    h('button', { type: 'button', class: 'next', disabled: skip + size >= total, onclick: () => go(skip + size) }, 'next ›'));
}

function list(root) {
  const filter = h('select', { id: 'windows-filter' }, ['', 'MATCH', 'DIVERGED', 'INCONCLUSIVE', 'NONE'].map(o =>
    h('option', { value: o }, o || 'every verdict')));
  const area = h('div');
  root.append(h('h1', null, 'Windows'), h('div', { class: 'toolbar' }, h('label', null, 'Verdict ', filter)), area);
  let skip = 0;
  let all = [];
  function draw() {
    const shown = all.filter(w => !filter.value || w.Outcome === filter.value).reverse(); // newest first
    clear(area).append(pager('windows-pager', skip, shown.length, PAGE, s => { skip = s; draw(); }),
      table([
        { title: 'Window', cell: w => h('a', { href: '#/windows/' + encodeURIComponent(w.Id), class: 'window-link' }, w.Id) },
        { title: 'Began', cell: w => time(w.StartTime) },
        { title: 'State', cell: w => w.State },
        { title: 'Backend', cell: w => w.Backend },
        { title: 'Instructions', cell: w => w.Instructions, attrs: () => ({ class: 'num' }) },
        { title: 'Events', cell: w => w.Events, attrs: () => ({ class: 'num' }) },
        { title: 'Verdict', cell: w => badge(w.Outcome) },
        { title: 'Verifiers', cell: w => w.Verdicts.map(v => `${v.Verifier} ${v.Outcome}`).join(', ') },
      ], shown.slice(skip, skip + PAGE)));
  }
  async function refresh() {
    try {
      all = (await get(WINDOWS)).Members;
      draw();
    } catch (e) {
      clear(area).append(errorBox(e));
    }
  }
  filter.addEventListener('change', () => { skip = 0; draw(); });
  refresh();
  return { onEvent: debounce(refresh, 1000) };
}

function registersTable(snapshots) {
  const initial = snapshots.Initial.Registers;
  const end = snapshots.End.Registers;
  const names = Object.keys(initial);
  return table([
    { title: 'Register', cell: n => n },
    { title: 'Initial (position ' + snapshots.Initial.Position + ')', cell: n => initial[n], attrs: () => ({ class: 'mono' }) },
    { title: 'End (position ' + snapshots.End.Position + ')', cell: n => end[n], attrs: () => ({ class: 'mono' }) },
  ], names, n => ({ class: initial[n] !== end[n] ? 'changed' : null }));
}

function divergence(v) {
  if (!v.Divergence) return v.Detail || '';
  const d = v.Divergence;
  return h('div', { class: 'divergence' },
    h('p', null, `first divergent instruction: position ${d.Position}, RIP ${d.Rip}`),
    h('ul', { class: 'differences' }, d.Differences.map(x => h('li', { class: 'mono' }, x))));
}

function detail(root, id) {
  const uri = WINDOWS + '/' + encodeURIComponent(id);
  const head = h('div');
  const events = h('div', { id: 'window-events' });
  root.append(h('p', null, h('a', { href: '#/windows' }, '‹ all windows'), ' · ', h('a', { href: '#/timeline' }, 'timeline')),
    h('h1', { id: 'window-title' }, 'Window ', id), head, h('h2', null, 'Events'), events);

  let kind = '';
  let skip = 0;
  async function loadEvents() {
    try {
      const q = new URLSearchParams({ '$skip': skip, '$top': PAGE });
      if (kind) q.set('kind', kind);
      const page = await get(uri + '/Events?' + q);
      clear(events).append(h('div', null, pager('events-pager', skip, page['Members@odata.count'], PAGE, s => { skip = s; loadEvents(); }),
        page.Problem ? h('p', { class: 'error' }, `log ${page.LogStatus}: ${page.Problem}`) : null,
        table([
          { title: '#', cell: e => e.Index, attrs: () => ({ class: 'num' }) },
          { title: 'Kind', cell: e => e.Kind },
          { title: 'vCPU', cell: e => e.Vcpu },
          { title: 'Position', cell: e => e.Position, attrs: () => ({ class: 'num' }) },
          { title: 'RIP', cell: e => e.Rip, attrs: () => ({ class: 'mono' }) },
          { title: 'Address', cell: e => e.Address, attrs: () => ({ class: 'mono' }) },
          { title: 'Value', cell: e => e.Value, attrs: () => ({ class: 'mono' }) },
          { title: 'Data', cell: e => e.Text ?? e.Data ?? '', attrs: () => ({ class: 'mono data' }) },
        ], page.Members, e => ({ class: 'event', dataset: { kind: e.Kind } }))));
    } catch (e) {
      clear(events).append(errorBox(e));
    }
  }

  // The verify task's progress outlives re-renders of the page: a new verdict (the task's own, or the sampler's) reloads
  // it while the task runs, and the page reloads when the task ends (WebConsoleIT lost "Completed" to that race).
  let verifyState = null;
  function showVerify(text, value) {
    verifyState = { text, value };
    const s = document.getElementById('verify-status'), p = document.getElementById('verify-progress');
    if (s) s.textContent = text;
    if (p) { p.hidden = false; p.value = value; }
  }

  async function load() {
    let w;
    try {
      w = await get(uri);
    } catch (e) {
      clear(head).append(errorBox(e));
      return;
    }
    const kinds = h('select', { id: 'events-kind' }, h('option', { value: '' }, `every kind (${w.Events})`),
      Object.entries(w.EventCounts || {}).map(([k, c]) => h('option', { value: k, selected: k === kind }, `${k} (${c})`)));
    kinds.value = kind;
    kinds.addEventListener('change', () => { kind = kinds.value; skip = 0; loadEvents(); });
    const verifiers = [...new Set(w.Verdicts.map(v => v.Verifier))];
    if (!verifiers.length) verifiers.push('soft');
    const verifier = h('select', { id: 'verify-verifier' }, verifiers.map(v => h('option', { value: v }, v)));
    const progress = h('progress', { id: 'verify-progress', max: 100, value: verifyState?.value ?? 0, hidden: !verifyState });
    const status = h('span', { id: 'verify-status', role: 'status' }, verifyState?.text ?? '');
    const verify = h('button', { type: 'button', id: 'verify-again', onclick: async () => {
      verify.disabled = true;
      showVerify('starting…', 0);
      try {
        const r = await api('POST', VERIFY, { WindowId: w.Id, Verifier: verifier.value });
        const t = await followTask(r.headers.get('Location'), t => showVerify(`${t.TaskState} ${t.PercentComplete || 0}%`, t.PercentComplete || 0));
        showVerify(`${t.TaskState}: ` + (t.Messages || []).map(m => m.Message).join('; '), t.PercentComplete ?? 100);
        await load();
      } catch (e) {
        showVerify(e.message, verifyState?.value ?? 0);
      } finally {
        const b = document.getElementById('verify-again');
        if (b) b.disabled = false;
      }
    } }, 'Verify again');
    clear(head).append(
      h('dl', { class: 'facts' },
        h('dt', null, 'Verdict'), h('dd', { id: 'window-outcome' }, badge(w.Outcome)),
        h('dt', null, 'Began'), h('dd', null, w.StartTime || '–'),
        h('dt', null, 'State'), h('dd', { id: 'window-state' }, w.State),
        h('dt', null, 'Backend'), h('dd', null, w.Backend),
        h('dt', null, 'Instructions'), h('dd', null, String(w.Instructions)),
        h('dt', null, 'Events'), h('dd', null, String(w.Events)),
        h('dt', null, 'Size'), h('dd', null, `${w.SizeBytes} bytes`),
        w.RecordingCpu ? [h('dt', null, 'Recorded on'), h('dd', null, w.RecordingCpu)] : null),
      h('h2', null, 'Verdicts'),
      w.Verdicts.length ? table([
        { title: 'Verifier', cell: v => v.Verifier },
        { title: 'Verdict', cell: v => badge(v.Outcome) },
        { title: 'Instructions', cell: v => v.Instructions, attrs: () => ({ class: 'num' }) },
        { title: 'Where / why', cell: v => divergence(v) },
      ], w.Verdicts, v => ({ class: 'verdict', dataset: { outcome: v.Outcome } })) : h('p', { class: 'hint' }, 'No verdict yet.'),
      h('div', { class: 'actions' }, h('label', null, 'Verifier ', verifier), verify, progress, status),
      h('h2', null, 'Snapshots'),
      w.Snapshots ? h('div', { id: 'window-snapshots' },
        h('p', null, `memory ${w.Snapshots.Initial.MemoryBytes} bytes, ${w.Snapshots.Initial.Msrs} MSRs; changed registers are marked`),
        registersTable(w.Snapshots)) : h('p', { class: 'hint' }, w.SnapshotProblem || 'No snapshots.'),
      h('div', { class: 'toolbar' }, h('label', null, 'Kind ', kinds)));
  }
  load().then(loadEvents);
  return { onEvent: (r) => { if (r.MessageId === 'Pcm.1.0.Verdict' && r.Message.includes(id)) load(); } };
}
