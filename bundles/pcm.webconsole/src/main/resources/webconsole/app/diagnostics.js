// Diagnostics: the self-test (pcm:selftest through the Pcm.Exec action, where this PCM has it), the window logs'
// check, and the TaskService's tasks with their progress.
import { get, exec } from './api.js';
import { h, clear, table, errorBox, debounce } from './dom.js';

const TASKS = '/redfish/v1/TaskService/Tasks';
const USAGE = 2; // ExitStatus of an unknown command (README, exit statuses)

function runner(id, label, command, explainMissing) {
  const out = h('pre', { id: id + '-output', class: 'output' });
  const status = h('p', { id: id + '-status', role: 'status', class: 'message' });
  const button = h('button', { type: 'button', id: id + '-run', onclick: async () => {
    button.disabled = true;
    status.textContent = `running ${command}…`;
    status.className = 'message';
    out.textContent = '';
    try {
      const r = await exec(command);
      const missing = r.ExitStatus === USAGE && /not found|unknown command|Command not found/i.test((r.Error || '') + (r.Message || ''));
      status.textContent = missing ? explainMissing : `${command}: exit status ${r.ExitStatus}` + (r.Message ? ` (${r.Message})` : '');
      status.className = 'message ' + (missing ? 'warning' : r.ExitStatus === 0 ? 'ok' : 'error');
      status.dataset.exit = String(r.ExitStatus);
      status.dataset.missing = String(missing);
      out.textContent = (r.Output || '') + (r.Error ? '\n' + r.Error : '');
    } catch (e) {
      status.textContent = e.message;
      status.className = 'message error';
    } finally {
      button.disabled = false;
    }
  } }, label);
  return h('article', { class: 'card wide', id }, h('h2', null, label), h('p', { class: 'hint' }, h('code', null, command)), button, status, out);
}

export function render(root) {
  const tasks = h('div', { id: 'tasks' });
  root.append(h('h1', null, 'Diagnostics'),
    h('div', { class: 'cards' },
      runner('selftest', 'Run the self-test', 'pcm:selftest',
        'This PCM has no self-test yet (pcm:selftest, issue 16 item 4, is not installed).'),
      runner('logcheck', 'Check the window logs', 'pcm:log check',
        'pcm:log is not available in this PCM.')),
    h('h2', null, 'Tasks'), tasks);
  async function refresh() {
    try {
      const c = await get(TASKS);
      const all = await Promise.all(c.Members.slice(-20).map(m => get(m['@odata.id'])));
      clear(tasks).append(all.length ? table([
        { title: 'Task', cell: t => t.Name },
        { title: 'State', cell: t => t.TaskState },
        { title: 'Progress', cell: t => h('progress', { max: 100, value: t.PercentComplete || 0 }) },
        { title: 'Result', cell: t => (t.Messages || []).map(m => m.Message).join('; ') },
      ], all.reverse()) : h('p', { class: 'hint' }, 'No tasks. Verifying a window again (window page) runs as a task.'));
    } catch (e) {
      clear(tasks).append(errorBox(e));
    }
  }
  refresh();
  const poll = setInterval(refresh, 2000);
  return { onEvent: debounce(refresh, 500), dispose: () => clearInterval(poll) };
}
