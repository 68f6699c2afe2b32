// The Redfish API of this PCM, as the console uses it: a Redfish session (X-Auth-Token, kept in this tab's
// sessionStorage only), JSON in and out, the server-sent events read through fetch (EventSource cannot send the token).

const TOKEN = 'pcm.token';
const SESSION = 'pcm.session';
const USER = 'pcm.user';

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

export const session = {
  get token() { return sessionStorage.getItem(TOKEN); },
  get user() { return sessionStorage.getItem(USER); },
  get loggedIn() { return !!sessionStorage.getItem(TOKEN); },
  onExpired: () => {},
};

function messageOf(status, body) {
  const e = body && body.error;
  if (e) return e.message || e.code;
  return `HTTP ${status}`;
}

async function parse(response) {
  const type = response.headers.get('Content-Type') || '';
  if (response.status === 204) return null;
  return type.startsWith('application/json') ? response.json() : response.text();
}

/** One request; JSON body for POST/PATCH; an ApiError for a status >= 400 (401: the session is gone). */
export async function api(method, path, body) {
  const headers = { 'Accept': 'application/json' };
  if (session.token) headers['X-Auth-Token'] = session.token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'omit', cache: 'no-store' });
  const data = await parse(response);
  if (response.status === 401 && session.token) {
    clear();
    session.onExpired();
  }
  if (response.status >= 400) throw new ApiError(response.status, messageOf(response.status, data), data);
  return { status: response.status, data, headers: response.headers };
}

export const get = (path) => api('GET', path).then(r => r.data);

/** POSTs a file as it is (application/octet-stream: a firmware image to the UpdateService's HttpPushUri). */
export async function push(path, file) {
  const headers = { 'Accept': 'application/json', 'Content-Type': 'application/octet-stream' };
  if (session.token) headers['X-Auth-Token'] = session.token;
  const response = await fetch(path, { method: 'POST', headers, body: file, credentials: 'omit', cache: 'no-store' });
  const data = await parse(response);
  if (response.status >= 400) throw new ApiError(response.status, messageOf(response.status, data), data);
  return { status: response.status, data, headers: response.headers };
}

function clear() {
  sessionStorage.removeItem(TOKEN);
  sessionStorage.removeItem(SESSION);
  sessionStorage.removeItem(USER);
}

/** Logs in (Redfish SessionService); throws an ApiError with the server's message when refused. */
export async function login(user, password) {
  clear();
  const r = await api('POST', '/redfish/v1/SessionService/Sessions', { UserName: user, Password: password });
  sessionStorage.setItem(TOKEN, r.headers.get('X-Auth-Token'));
  sessionStorage.setItem(SESSION, r.headers.get('Location'));
  sessionStorage.setItem(USER, user);
}

export async function logout() {
  const where = sessionStorage.getItem(SESSION);
  try {
    if (where) await api('DELETE', where);
  } finally {
    clear();
  }
}

/** Runs a Gogo command in PCM (Managers/pcm OEM action Pcm.Exec): {Output, Error, ExitStatus, Message}. */
export async function exec(command) {
  const r = await api('POST', '/redfish/v1/Managers/pcm/Actions/Oem/Pcm.Exec',
    { Command: command, ExecId: 'console-' + Date.now() + '-' + Math.random().toString(36).slice(2) });
  return r.data;
}

/** Follows a task monitor until the task ends; onProgress(task) at each look. */
export async function followTask(uri, onProgress, everyMillis = 300) {
  for (;;) {
    const t = await get(uri);
    onProgress(t);
    if (t.TaskState !== 'New' && t.TaskState !== 'Running' && t.TaskState !== 'Pending') return t;
    await new Promise(r => setTimeout(r, everyMillis));
  }
}

/**
 * The EventService's server-sent events for as long as the session lasts: onEvent(record) for each event record,
 * onState(true/false) when the stream is up or down. Reconnects after a pause while logged in.
 */
export function listen(onEvent, onState) {
  const stop = stream('/redfish/v1/EventService/SSE', (type, event) => {
    for (const record of event.Events || []) onEvent(record);
  }, onState);
  return () => {
    stop();
    onState(false);
  };
}

/**
 * Any server-sent event stream of the API (the guest console's): onEvent(type, data) per event, data parsed from
 * JSON; onState(true/false) as the stream goes up or down. Reconnects after a pause until the returned stop is called.
 */
export function stream(path, onEvent, onState) {
  let stopped = false;
  let controller = null;
  async function run() {
    while (!stopped && session.loggedIn) {
      controller = new AbortController();
      try {
        const response = await fetch(path, {
          headers: { 'X-Auth-Token': session.token, 'Accept': 'text/event-stream' },
          signal: controller.signal, cache: 'no-store', credentials: 'omit' });
        if (!response.ok) throw new Error('HTTP ' + response.status);
        onState(true);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let cut;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            let type = 'message';
            const data = [];
            for (const l of block.split('\n')) {
              if (l.startsWith('event:')) type = l.slice(6).trim();
              else if (l.startsWith('data:')) data.push(l.slice(5).replace(/^ /, ''));
            }
            if (!data.length) continue;
            try {
              onEvent(type, JSON.parse(data.join('\n')));
            } catch (e) {
              console.warn('PCM event not understood', e);
            }
          }
        }
      } catch (e) {
        if (stopped) break;
      }
      onState(false);
      if (!stopped) await new Promise(r => setTimeout(r, 2000));
    }
  }
  run();
  return () => {
    stopped = true;
    if (controller) controller.abort();
  };
}
