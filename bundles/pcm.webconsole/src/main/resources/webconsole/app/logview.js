// Log view: the verdict LogService's entries, newest first, filtered by severity; new verdicts arrive live.
import { get } from './api.js';
import { h, clear, table, errorBox, debounce } from './dom.js';

const ENTRIES = '/redfish/v1/Systems/guest/LogServices/Verdicts/Entries';
const PAGE = 50;

export function render(root) {
  const severity = h('select', { id: 'log-severity' }, ['', 'OK', 'Warning', 'Critical'].map(s =>
    h('option', { value: s }, s || 'every severity')));
  const count = h('span', { id: 'log-count' });
  const area = h('div');
  const recent = h('ul', { id: 'log-live', class: 'live-feed' });
  root.append(h('h1', null, 'Verdict log'),
    h('div', { class: 'toolbar' }, h('label', null, 'Severity ', severity), count), area,
    h('h2', null, 'Live events'), recent);
  let entries = [];
  function draw() {
    const shown = entries.filter(e => !severity.value || e.Severity === severity.value).reverse();
    count.textContent = `${shown.length} of ${entries.length} entries` + (shown.length > PAGE ? ` (newest ${PAGE} shown)` : '');
    count.dataset.count = String(shown.length);
    clear(area).append(table([
      { title: 'Severity', cell: e => h('span', { class: 'health ' + e.Severity.toLowerCase() }, e.Severity) },
      { title: 'Window', cell: e => h('a', { href: '#/windows/' + encodeURIComponent(e.Oem.Pcm.WindowId) }, e.Oem.Pcm.WindowId) },
      { title: 'Verifier', cell: e => e.Oem.Pcm.Verifier },
      { title: 'Message', cell: e => e.Message },
    ], shown.slice(0, PAGE), e => ({ class: 'log-entry', dataset: { severity: e.Severity } })));
  }
  async function refresh() {
    try {
      entries = (await get(ENTRIES)).Members;
      draw();
    } catch (e) {
      clear(area).append(errorBox(e));
    }
  }
  severity.addEventListener('change', draw);
  const later = debounce(refresh, 500);
  refresh();
  return {
    onEvent: (record) => {
      recent.prepend(h('li', { class: 'health ' + String(record.MessageSeverity).toLowerCase() },
        `${record.EventTimestamp} ${record.MessageId}: ${record.Message}`));
      while (recent.children.length > 20) recent.lastElementChild.remove();
      if (record.MessageId === 'Pcm.1.0.Verdict') later();
    },
  };
}
