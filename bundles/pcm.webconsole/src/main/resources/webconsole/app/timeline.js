// The sampling timeline: every window at the time it began, coloured by its verdict (one lane for the window's
// overall verdict, one per verifier); a click opens the window. Plain SVG, drawn here.
import { get } from './api.js';
import { h, s, clear, errorBox, debounce, time } from './dom.js';

const WINDOWS = '/redfish/v1/Oem/Pcm/Windows';
const WIDTH = 1000;
const LEFT = 90;       // lane labels
const RIGHT = 10;
const LANE = 28;
const TOP = 10;
const AXIS = 30;
const OUTCOMES = ['MATCH', 'DIVERGED', 'INCONCLUSIVE', 'NONE'];

/** Ticks for a time range: about `count` round steps. */
function ticks(from, to, count) {
  const steps = [100, 250, 500, 1000, 2000, 5000, 10000, 15000, 30000, 60000, 120000, 300000, 600000, 1800000, 3600000];
  const want = (to - from) / count;
  const step = steps.find(x => x >= want) || steps[steps.length - 1];
  const out = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) out.push(t);
  return out;
}

/** The plot of `windows` (the API's members, oldest first) within [from, to] ms. */
export function plot(windows, from, to, onOpen) {
  const verifiers = [...new Set(windows.flatMap(w => w.Verdicts.map(v => v.Verifier)))].sort();
  const lanes = [{ label: 'window', outcome: w => w.Outcome }]
    .concat(verifiers.map(id => ({ label: id, outcome: w => (w.Verdicts.filter(v => v.Verifier === id).pop() || {}).Outcome || 'NONE' })));
  const height = TOP + lanes.length * LANE + AXIS;
  const span = Math.max(1, to - from);
  const x = t => LEFT + (t - from) / span * (WIDTH - LEFT - RIGHT);
  const svg = s('svg', { id: 'timeline-plot', viewBox: `0 0 ${WIDTH} ${height}`, role: 'img',
    'aria-label': `sampling timeline: ${windows.length} windows` });
  lanes.forEach((lane, i) => {
    const y = TOP + i * LANE;
    svg.append(s('rect', { class: 'lane', x: LEFT, y, width: WIDTH - LEFT - RIGHT, height: LANE - 4 }),
      s('text', { class: 'lane-label', x: LEFT - 6, y: y + LANE / 2, 'text-anchor': 'end', 'dominant-baseline': 'middle' }, lane.label));
  });
  const axisY = TOP + lanes.length * LANE;
  svg.append(s('line', { class: 'axis', x1: LEFT, x2: WIDTH - RIGHT, y1: axisY, y2: axisY }));
  for (const t of ticks(from, to, 8)) {
    svg.append(s('line', { class: 'tick', x1: x(t), x2: x(t), y1: axisY, y2: axisY + 5 }),
      s('text', { class: 'tick-label', x: x(t), y: axisY + 18, 'text-anchor': 'middle' },
        new Date(t).toLocaleTimeString([], { hour12: false })));
  }
  windows.forEach((w, i) => {
    const t = Date.parse(w.StartTime);
    const next = i + 1 < windows.length ? Date.parse(windows[i + 1].StartTime) : t + span / 100;
    const width = Math.max(3, Math.min(24, (x(next) - x(t)) * 0.8));
    lanes.forEach((lane, j) => {
      const outcome = lane.outcome(w);
      const r = s('rect', { class: 'win ' + outcome.toLowerCase(), x: x(t), y: TOP + j * LANE + 2, width, height: LANE - 8,
        tabindex: j === 0 ? 0 : -1, dataset: { window: w.Id, outcome, lane: lane.label },
        onclick: () => onOpen(w.Id), onkeydown: e => { if (e.key === 'Enter') onOpen(w.Id); } },
      s('title', null, `${w.Id} ${lane.label}: ${outcome}\n${time(w.StartTime)} · ${w.Instructions} instructions · ${w.Events} events · ${w.State}`));
      svg.append(r);
    });
  });
  return svg;
}

export function render(root) {
  const span = h('select', { id: 'timeline-span' },
    h('option', { value: '0' }, 'all'), h('option', { value: '600000' }, 'last 10 minutes'),
    h('option', { value: '60000' }, 'last minute'));
  const count = h('span', { id: 'timeline-count' }, '');
  const legend = h('p', { class: 'legend' }, OUTCOMES.map(o => h('span', { class: 'key ' + o.toLowerCase() }, o === 'NONE' ? 'not verified' : o)));
  const area = h('div', { class: 'plot' });
  root.append(h('h1', null, 'Sampling timeline'),
    h('div', { class: 'toolbar' }, h('label', null, 'Show ', span), count), legend, area,
    h('p', { class: 'hint' }, 'Each mark is a window at the time it began; click one to open it. Updates live.'));

  let windows = [];
  async function refresh() {
    try {
      windows = (await get(WINDOWS)).Members.filter(w => w.StartTime);
    } catch (e) {
      clear(area).append(errorBox(e));
      return;
    }
    draw();
  }
  function draw() {
    const last = windows.length ? Date.parse(windows[windows.length - 1].StartTime) : Date.now();
    const first = windows.length ? Date.parse(windows[0].StartTime) : last - 60000;
    const from = Number(span.value) > 0 ? Math.max(first, last - Number(span.value)) : first;
    const shown = windows.filter(w => Date.parse(w.StartTime) >= from);
    const pad = Math.max(200, (last - from) * 0.02);
    count.textContent = `${shown.length} of ${windows.length} windows`;
    count.dataset.count = String(shown.length);
    clear(area).append(shown.length ? plot(shown, from - pad, last + pad, id => { location.hash = '#/windows/' + encodeURIComponent(id); })
      : h('p', { id: 'timeline-empty', class: 'hint' }, 'No windows yet: start the guest and sampling on the dashboard.'));
  }
  span.addEventListener('change', draw);
  const later = debounce(refresh, 400);
  const poll = setInterval(refresh, 5000); // besides the events: a stream that dropped events catches up
  refresh();
  return { onEvent: later, dispose: () => clearInterval(poll) };
}
