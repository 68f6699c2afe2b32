// Certificate view: the HTTPS certificate PCM serves (Managers/pcm/NetworkProtocol/HTTPS/Certificates/1) and its
// replacement through the Redfish CertificateService, as a BMC's web page offers it: GenerateCSR (PCM keeps the new
// key, the request is shown for the CA), then ReplaceCertificate with what the CA issued. The server restarts its
// HTTPS listener with the new certificate; this page then reloads what it shows (the browser must trust the new one).
import { get, api } from './api.js';
import { h, clear, errorBox } from './dom.js';

const CERT = '/redfish/v1/Managers/pcm/NetworkProtocol/HTTPS/Certificates/1';
const CERTS = '/redfish/v1/Managers/pcm/NetworkProtocol/HTTPS/Certificates';
const SERVICE = '/redfish/v1/CertificateService';
const KEYS = {
  'EC P-256': { KeyPairAlgorithm: 'TPM_ALG_ECDSA', KeyCurveId: 'TPM_ECC_NIST_P256' },
  'EC P-384': { KeyPairAlgorithm: 'TPM_ALG_ECDSA', KeyCurveId: 'TPM_ECC_NIST_P384' },
  'RSA 2048': { KeyPairAlgorithm: 'TPM_ALG_RSA', KeyBitLength: 2048 },
  'RSA 3072': { KeyPairAlgorithm: 'TPM_ALG_RSA', KeyBitLength: 3072 },
};

function dn(o) {
  if (!o) return '–';
  return ['CommonName', 'Organization', 'OrganizationalUnit', 'City', 'State', 'Country']
    .filter(k => o[k]).map(k => `${k}=${o[k]}`).join(', ') || '–';
}

function message(el, text, ok) {
  el.textContent = text;
  el.className = 'message ' + (ok ? 'ok' : 'error');
}

export function render(root) {
  const current = h('dl', { id: 'cert-current', class: 'facts' });
  const pending = h('div', { id: 'cert-pending' });
  const field = (name, label, attrs) => h('label', null, label + ' ', h('input', Object.assign({ name, id: 'csr-' + name }, attrs || {})));
  const key = h('select', { name: 'key', id: 'csr-key' }, Object.keys(KEYS).map(k => h('option', { value: k }, k)));
  const csrStatus = h('p', { id: 'csr-status', role: 'status', class: 'message' });
  const csrOut = h('textarea', { id: 'csr-output', readonly: true, rows: 8, cols: 72 });
  const csrForm = h('form', { id: 'csr-form', class: 'card wide' }, h('h2', null, '1. Request a certificate (GenerateCSR)'),
    field('CommonName', 'Common name', { required: true, placeholder: 'pcm.example.org' }),
    field('AlternativeNames', 'Other names (comma-separated)', { placeholder: 'pcm.example.org, 192.0.2.7' }),
    field('Organization', 'Organization'), field('Country', 'Country (2 letters)', { maxlength: 2 }),
    h('label', null, 'Key ', key), h('button', { type: 'submit', id: 'csr-submit' }, 'Generate CSR'), csrStatus, csrOut);
  const pem = h('textarea', { id: 'replace-pem', rows: 10, cols: 72, required: true,
    placeholder: '-----BEGIN CERTIFICATE-----\n… the certificate, then its issuers (and its key unless it was issued for the CSR above)' });
  const type = h('select', { id: 'replace-type' }, ['PEMchain', 'PEM'].map(t => h('option', { value: t }, t)));
  const replaceStatus = h('p', { id: 'replace-status', role: 'status', class: 'message' });
  const replaceForm = h('form', { id: 'replace-form', class: 'card wide' }, h('h2', null, '2. Install the issued certificate (ReplaceCertificate)'),
    pem, h('label', null, 'Type ', type), h('button', { type: 'submit', id: 'replace-submit' }, 'Replace certificate'), replaceStatus);
  root.append(h('h1', null, 'HTTPS certificate'), h('article', { class: 'card wide' }, h('h2', null, 'Served now'), current, pending),
    h('div', { class: 'cards' }, csrForm, replaceForm));

  async function refresh() {
    try {
      const [c, s] = await Promise.all([get(CERT), get(SERVICE)]);
      clear(current).append(
        h('dt', null, 'Subject'), h('dd', { id: 'cert-subject' }, dn(c.Subject)),
        h('dt', null, 'Issuer'), h('dd', { id: 'cert-issuer' }, dn(c.Issuer)),
        h('dt', null, 'Valid'), h('dd', null, `${c.ValidNotBefore} – ${c.ValidNotAfter}`),
        h('dt', null, 'SHA-256'), h('dd', { id: 'cert-fingerprint' }, c.Fingerprint),
        h('dt', null, 'Self-signed'), h('dd', null, c.Oem && c.Oem.Pcm && c.Oem.Pcm.SelfSigned ? 'yes' : 'no'));
      const p = s.Oem && s.Oem.Pcm && s.Oem.Pcm.PendingCsr;
      clear(pending).append(p ? h('p', { class: 'hint', id: 'cert-pending-csr' },
        `A request is pending since ${p.Created}: ${p.Subject} (${p.KeyType}); its certificate can be installed below.`) : '');
      const refusal = s.Oem && s.Oem.Pcm && s.Oem.Pcm.NotReplaceableBecause;
      if (refusal) pending.append(h('p', { class: 'message warning' }, refusal));
    } catch (e) {
      clear(current).append(errorBox(e));
    }
  }

  csrForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = csrForm.elements;
    const body = Object.assign({ CertificateCollection: { '@odata.id': CERTS }, CommonName: f.CommonName.value.trim() }, KEYS[key.value]);
    const names = f.AlternativeNames.value.split(',').map(s => s.trim()).filter(Boolean);
    if (names.length) body.AlternativeNames = names;
    if (f.Organization.value.trim()) body.Organization = f.Organization.value.trim();
    if (f.Country.value.trim()) body.Country = f.Country.value.trim();
    try {
      const r = await api('POST', SERVICE + '/Actions/CertificateService.GenerateCSR', body);
      csrOut.value = r.data.CSRString;
      message(csrStatus, 'Request generated: give it to your CA. PCM keeps the new key until the certificate is installed.', true);
      refresh();
    } catch (e) {
      message(csrStatus, e.message, false);
    }
  });

  replaceForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const r = await api('POST', SERVICE + '/Actions/CertificateService.ReplaceCertificate',
        { CertificateString: pem.value, CertificateType: type.value, CertificateUri: { '@odata.id': CERT } });
      message(replaceStatus, `Replaced: now serving SHA-256 ${r.data.Fingerprint}. The HTTPS listener restarts; ` +
        'your browser must trust the new certificate (or its CA).', true);
      replaceStatus.dataset.fingerprint = r.data.Fingerprint || '';
      pem.value = '';
      setTimeout(refresh, 2500); // Jetty restarts with the new certificate about a second later
    } catch (e) {
      message(replaceStatus, e.message, false);
    }
  });
  refresh();
  return {};
}
