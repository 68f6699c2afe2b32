// Log view: the verdict LogService's entries, newest first, filtered by severity; new verdicts arrive live; Clear log
// (LogService.ClearLog with the ETag of the entries shown).
import { api } from './api.js';
import { h, clear, table, errorBox, debounce } from './dom.js';

const SERVICE = '/redfish/v1/Systems/guest/LogServices/Verdicts';
const ENTRIES = SERVICE + '/Entries';
const PAGE = 50;

export function render(root) {
  const severity = h('select', { id: 'log-severity' }, ['', 'OK', 'Warning', 'Critical'].map(s =>
    h('option', { value: s }, s || 'every severity')));
  const count = h('span', { id: 'log-count' });
  const area = h('div');
  const clearStatus = h('p', { id: 'log-clear-status', role: 'status', class: 'message' });
  // ClearLog acknowledges exactly the entries shown: the ETag read with them, so a verdict that came since (a DIVERGED
  // one never seen) makes the server refuse (412) instead of clearing it unseen. Windows and evidence stay.
  const clearButton = h('button', { type: 'button', id: 'log-clear', onclick: async () => {
    if (!confirm(`Clear the ${entries.length} entries shown? The windows, their verdicts and evidence are kept.`)) return;
    clearButton.disabled = true;
    try {
      const r = await api('POST', SERVICE + '/Actions/LogService.ClearLog', etag ? { LogEntriesETag: etag } : {});
      const info = r.data && r.data['@Message.ExtendedInfo'];
      clearStatus.textContent = info && info[0] ? info[0].Message : 'The log was cleared.';
      clearStatus.className = 'message ok';
      await refresh();
    } catch (e) {
      clearStatus.textContent = e.status === 412 ? 'Not cleared: new verdicts came since this page read the log. Look at them, then clear again.' : e.message;
      clearStatus.className = 'message error';
      if (e.status === 412) await refresh();
    } finally {
      clearButton.disabled = false;
    }
  } }, 'Clear log');
  const recent = h('ul', { id: 'log-live', class: 'live-feed' });
  root.append(h('h1', null, 'Verdict log'),
    h('div', { class: 'toolbar' }, h('label', null, 'Severity ', severity), count, clearButton), clearStatus, area,
    h('h2', null, 'Live events'), recent);
  let entries = [];
  let etag = null;
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
      const r = await api('GET', ENTRIES);
      entries = r.data.Members;
      etag = r.headers.get('ETag');
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
