// Console view: the guest's serial console live, from the API's console event stream (GET /redfish/v1/Oem/Pcm/Console/SSE,
// what pcm:console shows in the shells), and a line typed into it (PcmConsole.Send). Everything it printed is also in
// <data>/log/console.log on PCM's host.
import { get, api, stream } from './api.js';
import { h, errorBox } from './dom.js';

const CONSOLE = '/redfish/v1/Oem/Pcm/Console';
const KEEP = 64 * 1024; // characters kept on the page: a long-running guest prints without end

export function render(root) {
  const state = h('span', { id: 'console-state', class: 'live off' }, 'connecting');
  const screen = h('pre', { id: 'console-output', class: 'output console', tabindex: '0', 'aria-live': 'polite' });
  const line = h('input', { id: 'console-line', autocomplete: 'off', placeholder: 'a line for the guest' });
  const enter = h('input', { type: 'checkbox', id: 'console-enter', checked: true });
  const status = h('p', { id: 'console-status', role: 'status', class: 'message' });
  const info = h('p', { class: 'hint', id: 'console-info' });
  const form = h('form', { id: 'console-send', class: 'toolbar' }, line,
    h('label', null, enter, ' Enter'), h('button', { type: 'submit', id: 'console-submit' }, 'Send'));
  root.append(h('h1', null, 'Guest console'), h('div', { class: 'toolbar' }, state,
    h('button', { type: 'button', id: 'console-clear', onclick: () => { screen.textContent = ''; } }, 'Clear view')),
    info, screen, form, status);
  get(CONSOLE).then(c => {
    info.textContent = `COM1 as it prints, live; everything is also kept in ${c.LogFile} on PCM's host.` +
      (c.InputAvailable ? '' : ' This PCM has no console input device.');
  }).catch(e => root.append(errorBox(e)));

  const stop = stream(CONSOLE + '/SSE', (type, data) => {
    if (type === 'console') screen.textContent += data.Text;
    else if (type === 'dropped') screen.textContent += `\n[${data.Bytes} bytes of console output dropped]\n`;
    else return;
    if (screen.textContent.length > KEEP) screen.textContent = screen.textContent.slice(-KEEP);
    screen.dataset.length = String(screen.textContent.length);
    screen.scrollTop = screen.scrollHeight;
  }, up => {
    state.textContent = up ? 'attached' : 'not attached';
    state.className = 'live ' + (up ? 'on' : 'off');
    state.dataset.up = String(up);
  });

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const text = line.value + (enter.checked ? '\n' : '');
    if (!text) return;
    try {
      await api('POST', CONSOLE + '/Actions/PcmConsole.Send', { Data: text });
      status.textContent = `sent ${text.length} characters`;
      status.className = 'message ok';
      line.value = '';
    } catch (e) {
      status.textContent = e.message;
      status.className = 'message error';
    }
  });
  return { dispose: stop };
}
