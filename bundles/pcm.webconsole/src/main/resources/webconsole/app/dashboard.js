// Dashboard: the guest (system information, power state, Reset), the sampler, the verdict counts, PCM's bundles.
import { api, get, exec } from './api.js';
import { h, clear, table, errorBox, debounce } from './dom.js';
import { productName } from './branding.js';

const SYSTEM = '/redfish/v1/Systems/guest';
const MANAGER = '/redfish/v1/Managers/pcm';
const WINDOWS = '/redfish/v1/Oem/Pcm/Windows';

function field(label, id, value) {
  return [h('dt', null, label), h('dd', { id }, value ?? '–')];
}

export function render(root) {
  const message = h('p', { id: 'dashboard-message', class: 'message', role: 'status' });
  const body = h('div', { class: 'cards' });
  root.append(h('h1', null, 'Dashboard'), message, body);

  async function act(label, work) {
    message.textContent = label + '…';
    message.className = 'message';
    try {
      const m = await work();
      message.textContent = m || label + ': done';
    } catch (e) {
      message.textContent = label + ': ' + e.message;
      message.className = 'message error';
    }
    refresh();
  }

  const reset = (type) => act('Guest ' + type, async () => {
    await api('POST', SYSTEM + '/Actions/ComputerSystem.Reset', { ResetType: type });
  });
  const sample = (what) => act('Sampling ' + what, async () => {
    const r = await exec('pcm:sample ' + what);
    if (r.ExitStatus !== 0) throw new Error((r.Error || r.Output || r.Message || '').trim() || 'exit status ' + r.ExitStatus);
    return ('Sampling ' + what + ': ' + (r.Output || '').trim()).trim();
  });

  async function refresh() {
    let system, manager, windows;
    try {
      [system, manager, windows] = await Promise.all([get(SYSTEM), get(MANAGER), get(WINDOWS)]);
    } catch (e) {
      clear(body).append(errorBox(e));
      return;
    }
    const oem = (system.Oem && system.Oem.Pcm) || {};
    const sampler = (manager.Oem && manager.Oem.Pcm && manager.Oem.Pcm.Sampler) || {};
    const bundles = (manager.Oem && manager.Oem.Pcm && manager.Oem.Pcm.Bundles) || [];
    const outcomes = windows.Outcomes || {};
    const health = (system.Status && system.Status.HealthRollup) || 'OK';
    clear(body).append(
      h('article', { class: 'card', id: 'card-system' },
        h('h2', null, system.Name || 'Guest'),
        h('dl', null,
          field('Power', 'guest-power', system.PowerState),
          field('VM state', 'guest-state', oem.VmState),
          field('Backend', 'guest-backend', oem.Backend),
          field('vCPUs', 'guest-vcpus', system.ProcessorSummary && system.ProcessorSummary.Count),
          field('CPU check', 'guest-health', h('span', { class: 'health ' + health.toLowerCase() }, health)),
          oem.StopReason ? field('Stopped', 'guest-stop', oem.StopReason) : null),
        h('div', { class: 'actions' },
          ['On', 'Pause', 'Resume', 'ForceRestart', 'ForceOff'].map(t =>
            h('button', { type: 'button', id: 'reset-' + t, onclick: () => reset(t) }, t)))),
      h('article', { class: 'card', id: 'card-sampler' },
        h('h2', null, 'Sampler'),
        h('dl', null,
          field('State', 'sampler-state', sampler.State),
          field('Periodic', 'sampler-periodic', sampler.Periodic === undefined ? '–' : (sampler.Periodic ? 'on' : 'off')),
          field('Current window', 'sampler-window', sampler.CurrentWindow || '–')),
        h('div', { class: 'actions' },
          h('button', { type: 'button', id: 'sample-start', onclick: () => sample('start') }, 'Start periodic sampling'),
          h('button', { type: 'button', id: 'sample-stop', onclick: () => sample('stop') }, 'Stop'),
          h('button', { type: 'button', id: 'sample-now', onclick: () => sample('now') }, 'One window now'))),
      h('article', { class: 'card', id: 'card-verdicts' },
        h('h2', null, 'Windows by verdict'),
        h('dl', null,
          field('Windows', 'count-windows', windows['Members@odata.count']),
          field('MATCH', 'count-MATCH', outcomes.MATCH ?? 0),
          field('DIVERGED', 'count-DIVERGED', outcomes.DIVERGED ?? 0),
          field('INCONCLUSIVE', 'count-INCONCLUSIVE', outcomes.INCONCLUSIVE ?? 0),
          field('not verified', 'count-NONE', outcomes.NONE ?? 0)),
        h('p', null, h('a', { href: '#/timeline' }, 'Timeline'), ' · ', h('a', { href: '#/log' }, 'Verdict log'))),
      h('article', { class: 'card wide', id: 'card-pcm' },
        h('h2', null, productName() + ' ', manager.FirmwareVersion || ''),
        h('details', null, h('summary', null, bundles.length + ' bundles'),
          table([
            { title: 'Id', cell: b => b.Id },
            { title: 'Bundle', cell: b => b.SymbolicName },
            { title: 'Version', cell: b => b.Version },
            { title: 'State', cell: b => b.State },
          ], bundles))));
  }

  const later = debounce(refresh, 250);
  refresh();
  return { onEvent: later };
}
