// The console's shell: login, navigation (the URL fragment names the view), the live event stream.
import { session, login, logout, listen } from './api.js';
import { h, clear } from './dom.js';
import * as dashboard from './dashboard.js';
import * as timeline from './timeline.js';
import * as windows from './windows.js';
import * as log from './logview.js';
import * as settings from './settings.js';
import * as diagnostics from './diagnostics.js';
import * as firmware from './firmware.js';
import * as certificates from './certificates.js';
import * as guestconsole from './guestconsole.js';
import { applyBranding, productName } from './branding.js';

const views = { dashboard, timeline, windows, log, console: guestconsole, settings, firmware, certificates, diagnostics };
const root = document.getElementById('view');
const nav = document.getElementById('nav');
const live = document.getElementById('live');
const who = document.getElementById('who');
const logoutButton = document.getElementById('logout');

let current = null;   // the view shown: {onEvent, dispose}
let stopListening = null;

function setLive(up) {
  live.textContent = up ? 'live' : 'offline';
  live.className = 'live ' + (up ? 'on' : 'off');
}

function showLogin(message) {
  if (current && current.dispose) current.dispose();
  current = null;
  if (stopListening) stopListening();
  stopListening = null;
  nav.hidden = true;
  logoutButton.hidden = true;
  who.textContent = '';
  clear(root);
  const form = document.getElementById('login-template').content.firstElementChild.cloneNode(true);
  root.append(form);
  form.querySelector('.brand-product').textContent = productName();
  const error = form.querySelector('#login-error');
  if (message) error.textContent = message;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.textContent = '';
    const button = form.querySelector('button');
    button.disabled = true;
    try {
      await login(form.user.value, form.password.value);
      if (!location.hash || location.hash === '#/login') location.hash = '#/dashboard';
      start();
    } catch (e) {
      error.textContent = e.status === 401 ? 'Wrong user name or password.' : 'Log in failed: ' + e.message;
      form.password.select();
    } finally {
      button.disabled = false;
    }
  });
  form.password.focus();
}

function route() {
  if (!session.loggedIn) {
    showLogin();
    return;
  }
  const parts = (location.hash || '#/dashboard').slice(2).split('/').map(decodeURIComponent);
  const name = views[parts[0]] ? parts[0] : 'dashboard';
  for (const a of nav.querySelectorAll('a')) a.classList.toggle('active', a.dataset.view === name);
  if (current && current.dispose) current.dispose();
  clear(root);
  const container = h('section', { id: 'view-' + name, class: 'view' });
  root.append(container);
  current = views[name].render(container, parts.slice(1)) || {};
}

function start() {
  nav.hidden = false;
  logoutButton.hidden = false;
  who.textContent = session.user;
  if (!stopListening) stopListening = listen(record => {
    if (current && current.onEvent) current.onEvent(record);
  }, setLive);
  route();
}

session.onExpired = () => showLogin('The session ended: log in again.');
logoutButton.addEventListener('click', async () => {
  try {
    await logout();
  } finally {
    location.hash = '#/login';
    showLogin();
  }
});
window.addEventListener('hashchange', () => { if (session.loggedIn) route(); });

if (session.loggedIn) start(); else showLogin();
applyBranding();
