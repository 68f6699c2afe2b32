// The branding (pcm.branding: product name, logo, support contact; the colours come as branding/colours.css):
// read from the console's own branding/branding.json, which needs no login, so the login page is branded too.
import { h, clear } from './dom.js';

let product = 'PCM';

/** The product's name, for what is drawn later (the login form). */
export function productName() {
  return product;
}

export async function applyBranding() {
  let b;
  try {
    const r = await fetch('branding/branding.json', { cache: 'no-store' });
    if (!r.ok) return;
    b = await r.json();
  } catch (e) {
    return; // the page's own defaults stay
  }
  product = b.productName;
  document.title = product + ' console';
  for (const el of document.querySelectorAll('.brand-product')) el.textContent = product;
  document.getElementById('brand-name').textContent = b.productName;
  document.getElementById('brand-name').title = b.manufacturer + ' ' + b.model;
  const logo = document.getElementById('brand-logo');
  if (b.logo) { logo.src = b.logo + '?t=' + Date.now(); logo.alt = b.productName; logo.hidden = false; } else logo.hidden = true;
  const support = document.getElementById('support');
  clear(support);
  const parts = [];
  if (/^https?:\/\//i.test(b.supportUrl || '')) parts.push(h('a', { href: b.supportUrl, rel: 'noopener noreferrer', target: '_blank' }, b.supportUrl));
  if (b.supportEmail) parts.push(h('a', { href: 'mailto:' + b.supportEmail }, b.supportEmail));
  if (parts.length) {
    support.append(b.manufacturer + ' support: ');
    parts.forEach((p, i) => { if (i) support.append(' · '); support.append(p); });
  }
  support.hidden = parts.length === 0;
}
