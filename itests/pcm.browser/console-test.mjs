// Browser tests of the PCM web console: real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright.
// Usage: node console-test.mjs <base-url> <admin-password-file> <output-dir> [<bundle-jar-to-push>]
// Writes <output-dir>/result.json ({ok, steps: [{name, ok, detail, millis}], consoleErrors}) and one screenshot per
// step; exits 0 when every step passed. Started by pcm.itests' WebConsoleIT against a resident PCM whose guest runs
// a long workload (it is started and sampled from the dashboard here).
// The console is HTTPS with the resident's self-signed certificate: PCM_SERVER_SPKI (base64 SHA-256 of its public key,
// set by WebConsoleIT) makes Chromium trust that one key and no other (not a blanket --ignore-certificate-errors).
import { chromium } from 'playwright-core';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [base, passwordFile, out, firmwareJar] = process.argv.slice(2);
if (!base || !passwordFile || !out) {
  console.error('usage: node console-test.mjs <base-url> <admin-password-file> <output-dir>');
  process.exit(2);
}
const password = readFileSync(passwordFile, 'utf8').trim();
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
mkdirSync(out, { recursive: true });

const steps = [];
const consoleErrors = [];
const WAIT = 30_000;

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    ...(process.env.PCM_SERVER_SPKI ? [`--ignore-certificate-errors-spki-list=${process.env.PCM_SERVER_SPKI}`] : [])],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
context.setDefaultTimeout(WAIT);
const page = await context.newPage();
page.on('console', m => { if (m.type() === 'error') consoleErrors.push(m.text()); });
page.on('pageerror', e => consoleErrors.push('page error: ' + e.message));

async function step(name, body) {
  const started = Date.now();
  let ok = false;
  let detail = '';
  try {
    detail = (await body()) || '';
    ok = true;
  } catch (e) {
    detail = String(e && e.message ? e.message : e).split('\n').slice(0, 6).join(' | ');
  }
  try {
    await page.screenshot({ path: join(out, `${String(steps.length + 1).padStart(2, '0')}-${name}.png`), fullPage: true });
  } catch (e) {
    detail += ' (no screenshot: ' + e.message + ')';
  }
  steps.push({ name, ok, detail, millis: Date.now() - started });
  console.log(`${ok ? 'PASS' : 'FAIL'} ${name} (${Date.now() - started} ms) ${detail}`);
  return ok;
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

const text = (selector) => page.locator(selector).first().innerText();

/**
 * Chromium logs every 4xx answer as "Failed to load resource"; a step that provokes a refusal on purpose (a stale
 * ETag, a wrong certificate) takes back exactly those lines of the statuses it expected, so no-script-errors still sees
 * every other error.
 */
function provoked(from, statuses) {
  const re = new RegExp(`Failed to load resource: the server responded with a status of (${statuses.join('|')})`);
  const kept = consoleErrors.slice(0, from).concat(consoleErrors.slice(from).filter(m => !re.test(m)));
  consoleErrors.length = 0;
  consoleErrors.push(...kept);
}

try {
  await step('login-refused', async () => {
    await page.goto(base + '/');  // the server's root leads to the console
    await page.waitForSelector('#login');
    expect(page.url().endsWith('/console/'), 'the root did not redirect to /console/: ' + page.url());
    await page.fill('#login-user', 'admin');
    await page.fill('#login-password', 'not-the-password');
    await page.click('#login-submit');
    await page.waitForFunction(() => document.querySelector('#login-error').textContent.length > 0);
    const error = await text('#login-error');
    expect(/wrong user name or password/i.test(error), 'unexpected login error: ' + error);
    expect(await page.locator('#nav').isHidden(), 'the navigation shows without a session');
    // the browser logs the refused login's 401 as an error: expected here, not a fault of the console
    consoleErrors.splice(0, consoleErrors.length, ...consoleErrors.filter(e => !/status of 401/.test(e)));
    return error;
  });

  await step('login', async () => {
    await page.fill('#login-password', password);
    await page.click('#login-submit');
    await page.waitForSelector('#view-dashboard');
    await page.waitForSelector('#live.on'); // the server-sent event stream is up
    return 'logged in as ' + await text('#who');
  });

  await step('dashboard-shows-guest', async () => {
    await page.waitForSelector('#guest-power');
    const name = await text('#card-system h2');
    expect(name.includes('guest'), 'no guest on the dashboard: ' + name);
    const before = await text('#guest-power');
    await page.click('#reset-On');
    await page.waitForFunction(() => document.querySelector('#guest-power')?.textContent === 'On');
    await page.click('#sample-start');
    await page.waitForFunction(() => document.querySelector('#sampler-periodic')?.textContent === 'on');
    return `${name}: power ${before} -> On, ${await text('#guest-backend')}, sampler ${await text('#sampler-state')}`;
  });

  await step('timeline-fills', async () => {
    await page.click('nav a[data-view=timeline]');
    await page.waitForSelector('#view-timeline');
    const marks = () => page.locator('#timeline-plot rect.win[data-lane=window]').count();
    await page.waitForFunction(() => document.querySelector('#timeline-count')?.dataset.count !== undefined);
    const first = await marks();
    // no reload: the plot grows from live events (and its own catch-up poll) while the guest runs
    await page.waitForFunction((n) => document.querySelectorAll('#timeline-plot rect.win[data-lane=window]').length >= n + 2
      && document.querySelectorAll('#timeline-plot rect.win[data-outcome=MATCH]').length > 0, first, { timeout: 60_000 });
    const now = await marks();
    const match = await page.locator('#timeline-plot rect.win[data-lane=window][data-outcome=MATCH]').count();
    return `windows plotted ${first} -> ${now}, ${match} MATCH`;
  });

  let windowId = null;
  await step('open-window-from-timeline', async () => {
    const mark = page.locator('#timeline-plot rect.win[data-lane=window][data-outcome=MATCH]').first();
    windowId = await mark.getAttribute('data-window');
    await mark.click();
    await page.waitForSelector('#window-title');
    expect(decodeURIComponent(page.url()).endsWith('#/windows/' + windowId), 'not the window page: ' + page.url());
    expect((await text('#window-title')).includes(windowId), 'wrong window title');
    await page.waitForSelector('tr.verdict[data-outcome=MATCH]');
    await page.waitForSelector('#window-snapshots table');
    await page.waitForSelector('#window-events tr.event');
    const range = await text('#events-pager .range');
    await page.selectOption('#events-kind', 'CHECKPOINT');
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('#window-events tr.event')];
      return rows.length > 0 && rows.every(r => r.dataset.kind === 'CHECKPOINT');
    });
    await page.click('#events-pager .next');
    await page.waitForFunction(() => document.querySelector('#events-pager .range')?.textContent.startsWith('26–'));
    return `window ${windowId}: events ${range}; CHECKPOINT page 2: ${await text('#events-pager .range')}`;
  });

  await step('verify-again-task-progress', async () => {
    await page.click('#verify-again');
    await page.waitForFunction(() => /^Completed/.test(document.querySelector('#verify-status')?.textContent || ''), null, { timeout: 60_000 });
    const value = await page.locator('#verify-progress').evaluate(p => p.value);
    expect(value === 100, 'progress ended at ' + value);
    return await text('#verify-status');
  });

  await step('setting-changed-and-applied', async () => {
    await page.click('nav a[data-view=settings]');
    await page.click('#settings-pids a[href="#/settings/pcm.sampling.periodic"]');
    await page.waitForSelector('#setting-periodMillis');
    const before = await page.inputValue('#setting-periodMillis');
    await page.fill('#setting-periodMillis', '-5');
    await page.click('#settings-save');
    await page.waitForFunction(() => document.querySelector('#settings-status')?.dataset.applied === 'false');
    const refused = await text('#settings-status');
    expect(/refused/i.test(refused), 'a bad value was not refused: ' + refused);
    consoleErrors.splice(0, consoleErrors.length, ...consoleErrors.filter(e => !/status of 400/.test(e))); // that refusal
    const wanted = before === '450' ? '550' : '450';
    await page.fill('#setting-periodMillis', wanted);
    await page.click('#settings-save');
    await page.waitForFunction(() => document.querySelector('#settings-status')?.dataset.applied === 'true');
    const applied = await text('#settings-status');
    await page.reload(); // read back from the server (the session stays: this tab's sessionStorage)
    await page.waitForSelector('#setting-periodMillis');
    const after = await page.inputValue('#setting-periodMillis');
    expect(after === wanted, `periodMillis reads ${after} after the change to ${wanted}`);
    return `periodMillis ${before} -> ${after}; -5: ${refused}; ${applied}`;
  });

  await step('log-view', async () => {
    await page.click('nav a[data-view=log]');
    await page.waitForSelector('tr.log-entry[data-severity=OK]');
    const all = await page.locator('tr.log-entry').count();
    await page.selectOption('#log-severity', 'Critical');
    await page.waitForFunction(() => document.querySelector('#log-count')?.dataset.count === '0');
    await page.selectOption('#log-severity', '');
    return `${all} verdict entries shown (newest first), no Critical`;
  });

  await step('log-cleared', async () => {
    // ClearLog with the ETag of the entries shown: with windows every 300 ms a verdict often comes between reading and
    // clearing, and the server refuses (412, the page says so and reads the log again): the operator clears again
    page.on('dialog', d => d.accept());
    const errorsBefore = consoleErrors.length;
    let tries = 0;
    let said = '';
    for (; tries < 8; tries++) {
      await page.waitForSelector('#log-clear:not([disabled])');
      await page.click('#log-clear');
      await page.waitForFunction(() => /message (ok|error)/.test(document.querySelector('#log-clear-status')?.className || ''));
      said = await text('#log-clear-status');
      if ((await page.getAttribute('#log-clear-status', 'class')).includes('ok')) break;
      expect(/new verdicts came/.test(said), 'a refusal other than a stale ETag: ' + said);
      await page.evaluate(() => { document.querySelector('#log-clear-status').className = 'message'; });
    }
    expect(tries < 8, 'never cleared: ' + said);
    provoked(errorsBefore, [412]);
    return `${said} (after ${tries} refusal(s) for verdicts that came meanwhile)`;
  });

  await step('guest-console-live', async () => {
    await page.click('nav a[data-view=console]');
    await page.waitForSelector('#console-state[data-up=true]');
    // the guest restarted: its boot lines arrive through the console stream, not by polling
    await page.evaluate(async () => {
      const r = await fetch('/redfish/v1/Systems/guest/Actions/ComputerSystem.Reset', { method: 'POST', credentials: 'omit',
        headers: { 'X-Auth-Token': sessionStorage.getItem('pcm.token'), 'Content-Type': 'application/json' },
        body: JSON.stringify({ ResetType: 'ForceRestart' }) });
      if (r.status >= 300) throw new Error('ForceRestart: HTTP ' + r.status);
    });
    await page.waitForFunction(() => (document.querySelector('#console-output')?.textContent || '').includes('PCM default guest'));
    await page.fill('#console-line', 'hello');
    await page.click('#console-submit');
    await page.waitForFunction(() => document.querySelector('#console-status')?.className === 'message ok');
    const sent = await text('#console-status');
    const shown = (await text('#console-output')).split('\n').find(l => l.includes('PCM default guest'));
    return `live: "${shown}"; typed: ${sent}`;
  });

  await step('certificate-csr-and-refused-replacement', async () => {
    await page.click('nav a[data-view=certificates]');
    await page.waitForFunction(() => /^[0-9A-F:]{95}$/.test(document.querySelector('#cert-fingerprint')?.textContent || ''));
    const served = await text('#cert-fingerprint');
    await page.fill('#csr-CommonName', 'pcm.example.test');
    await page.fill('#csr-AlternativeNames', 'pcm.example.test, 192.0.2.7');
    await page.click('#csr-submit');
    await page.waitForFunction(() => (document.querySelector('#csr-output')?.value || '').startsWith('-----BEGIN CERTIFICATE REQUEST-----'));
    await page.waitForSelector('#cert-pending-csr');
    // something that is no certificate: the API's typed refusal shown, nothing replaced (the same fingerprint served)
    const errorsBefore = consoleErrors.length;
    await page.fill('#replace-pem', 'not a certificate');
    await page.click('#replace-submit');
    await page.waitForFunction(() => document.querySelector('#replace-status')?.className === 'message error');
    const refused = await text('#replace-status');
    expect(/CertificateString/.test(refused), 'the refusal names the parameter: ' + refused);
    provoked(errorsBefore, [400]);
    await page.click('nav a[data-view=dashboard]');
    await page.click('nav a[data-view=certificates]');
    await page.waitForFunction(() => /^[0-9A-F:]{95}$/.test(document.querySelector('#cert-fingerprint')?.textContent || ''));
    expect(await text('#cert-fingerprint') === served, 'the served certificate changed');
    return `CSR generated (pending shown); "not a certificate" refused: ${refused}`;
  });

  await step('firmware-updated-and-rolled-back', async () => {
    if (!firmwareJar) return 'skipped: no bundle jar given';
    await page.click('nav a[data-view=firmware]');
    await page.waitForSelector('tr.firmware-image[data-bundle="pcm.webconsole"][data-active="true"]');
    await page.setInputFiles('#firmware-file', firmwareJar);
    await page.click('#firmware-upload');
    await page.waitForFunction(() => document.querySelector('#firmware-status')?.dataset.outcome === 'updated');
    const updated = await text('#firmware-status');
    await page.click('button.rollback[data-bundle="pcm.webconsole"]');
    await page.waitForFunction(() => document.querySelector('#firmware-status')?.dataset.outcome === 'rolled-back');
    return `${updated} ${await text('#firmware-status')}`;
  });

  await step('diagnostics-self-test', async () => {
    await page.click('nav a[data-view=diagnostics]');
    await page.click('#selftest-run');
    await page.waitForFunction(() => document.querySelector('#selftest-status')?.dataset.exit !== undefined, null, { timeout: 90_000 });
    const status = await text('#selftest-status');
    await page.waitForSelector('#tasks table');
    return status;
  });

  await step('no-script-errors', async () => {
    expect(consoleErrors.length === 0, 'console errors: ' + consoleErrors.join(' | '));
    return 'none (the Content-Security-Policy allowed every script and request)';
  });

  await step('logout', async () => {
    await page.click('#logout');
    await page.waitForSelector('#login');
    return 'back at the login';
  });
} finally {
  await browser.close();
}

const ok = steps.length > 0 && steps.every(s => s.ok);
writeFileSync(join(out, 'result.json'), JSON.stringify({ ok, steps, consoleErrors }, null, 2));
process.exit(ok ? 0 : 1);
