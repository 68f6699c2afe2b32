// Firmware: PCM's bundles from the UpdateService's FirmwareInventory (active and previous versions), a bundle jar
// pushed to HttpPushUri (checked by PCM before anything changes), and a rollback to the previous version.
import { api, get, push } from './api.js';
import { h, clear, table, errorBox } from './dom.js';

const SERVICE = '/redfish/v1/UpdateService';

export function render(root) {
  const status = h('p', { id: 'firmware-status', role: 'status', class: 'message' });
  const list = h('div', { id: 'firmware-inventory' });
  const file = h('input', { type: 'file', id: 'firmware-file', accept: '.jar,application/java-archive' });
  const upload = h('button', { type: 'submit', id: 'firmware-upload' }, 'Install or update');
  const form = h('form', { class: 'card', id: 'firmware-form' }, h('h2', null, 'Update a bundle'),
    h('p', { class: 'hint' }, 'A bundle jar: PCM checks its manifest first, installs it in place of the bundle of the same ',
      'symbolic name (or beside the others), keeps the version it replaces for a rollback, and refuses what would stop a running guest.'),
    file, h('div', { class: 'actions' }, upload), status);
  root.append(h('h1', null, 'Firmware'), form, h('h2', null, 'Inventory'), list);

  function say(text, kind, outcome) {
    status.textContent = text;
    status.className = 'message ' + (kind || '');
    if (outcome) status.dataset.outcome = outcome;
  }

  async function refresh() {
    try {
      const c = await get(SERVICE + '/FirmwareInventory');
      const all = await Promise.all(c.Members.map(m => get(m['@odata.id'])));
      const previous = new Set(all.filter(i => !i.Updateable).map(i => i.SoftwareId));
      clear(list).append(table([
        { title: 'Bundle', cell: i => h('span', null, i.SoftwareId, i.Updateable ? '' : h('small', null, ' previous')) },
        { title: 'Version', cell: i => i.Version },
        { title: 'State', cell: i => i.Oem && i.Oem.Pcm ? i.Oem.Pcm.State : i.Status.State },
        { title: '', cell: i => i.Updateable && previous.has(i.SoftwareId)
            ? h('button', { type: 'button', class: 'rollback', 'data-bundle': i.SoftwareId, onclick: () => rollback(i.SoftwareId) }, 'Roll back')
            : '' },
      ], all, i => ({ class: 'firmware-image', 'data-bundle': i.SoftwareId, 'data-active': String(i.Updateable) })));
    } catch (e) {
      clear(list).append(errorBox(e));
    }
  }

  async function rollback(bundle) {
    say(`Rolling ${bundle} back…`);
    try {
      const r = await api('POST', SERVICE + '/Actions/Oem/Pcm.Rollback', { SoftwareId: bundle });
      await refresh(); // the inventory shows it before the outcome is said
      say(`${bundle} is ${r.data.Version} again.`, 'ok', 'rolled-back');
    } catch (e) {
      await refresh();
      say('Refused: ' + e.message, 'error', 'refused');
    }
  }

  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    if (!file.files.length) {
      say('Choose a bundle jar first.', 'warning');
      return;
    }
    upload.disabled = true;
    say(`Installing ${file.files[0].name}…`);
    try {
      const r = await push(SERVICE + '/update', file.files[0]);
      await refresh();
      say(`${r.data.SoftwareId} ${r.data.Version} is ${r.data.Oem.Pcm.State}.`, 'ok', 'updated');
    } catch (e) {
      await refresh();
      say('Refused: ' + e.message, 'error', 'refused');
    } finally {
      upload.disabled = false;
    }
  });
  refresh();
  return {};
}
