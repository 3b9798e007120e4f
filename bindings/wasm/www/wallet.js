// The badge wallet: every badge is verified here, in the browser, by the openbadges WebAssembly
// package (./pkg, built by bindings/wasm/build.sh). Nothing is uploaded; nothing is fetched but
// this page's own files.

const $ = (id) => document.getElementById(id);
const statusLine = $('status');

// The verifier module. A panic inside it traps the wasm instance (WebAssembly.RuntimeError); the
// package promises typed errors instead, but if it ever happens the trapped instance is dropped
// and a fresh one is loaded (a new module URL gives a new module record), so the page keeps
// working.
let lib = null;
let generation = 0;
async function load() {
  const url = generation === 0 ? './pkg/openbadges.js' : `./pkg/openbadges.js?instance=${generation}`;
  const m = await import(url);
  await m.default();
  lib = m;
}

async function call(name, ...args) {
  try {
    return lib[name](...args);
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) {
      const message = lib.lastPanic() || e.message;
      generation += 1;
      await load();
      const err = new Error(message);
      err.name = 'OpenBadgesError';
      err.kind = 'internal';
      throw err;
    }
    throw e;
  }
}

// Plain-language names of the checks, as on `openbadges serve`'s verify page.
const LABELS = {
  parse: 'Could be read', format: 'Format', 'baked-image': 'Badge image',
  type: 'Kind of credential', context: 'Vocabulary (JSON-LD contexts)', issuer: 'Issuer named',
  subject: 'Recipient and achievement', schema: 'Follows the Open Badges schema',
  'data-model': 'Follows the Open Badges data model', proof: 'Signature', 'proof-set': 'Signature',
  'issuer-key': "Signed by the issuer's key", 'validity-window': 'Dates (not expired, already valid)',
  status: 'Not revoked or suspended', recipient: 'Recipient', trust: 'Issuer on a trust list',
  endorsements: 'Endorsements',
};
const label = (id) => LABELS[id] || id;
const OUTCOMES = {
  passed: '✓ passed', failed: '✗ failed', warning: '! warning', skipped: '– skipped',
  indeterminate: '? could not check',
};
const blocking = (c) => c.fatal && (c.outcome === 'failed' || c.outcome === 'indeterminate');

// The wallet: what was added, with its credential text (for baking).
const wallet = [];

function isImage(bytes) {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return true;
  const head = new TextDecoder().decode(bytes.subarray(0, 512)).trimStart();
  return head.startsWith('<');
}

function credentialText(bytes, report) {
  if (isImage(bytes)) {
    const baked = lib.extract(bytes);
    return baked ? baked.text : null;
  }
  return report.verified || report.checks.some((c) => c.id === 'proof') ? new TextDecoder().decode(bytes).trim() : null;
}

function pretty(text) {
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch { return text; }
}

function render(report, title, text) {
  const node = $('badge-template').content.firstElementChild.cloneNode(true);
  const verdict = node.querySelector('.verdict');
  verdict.textContent = report.headline;
  verdict.className = `verdict ${report.verified ? (report.headline === 'VERIFIED' ? 'ok' : 'warn') : 'bad'}`;
  node.querySelector('.name').textContent = report.achievement || title;
  const facts = node.querySelector('.facts');
  const fact = (k, v) => {
    if (!v) return;
    const dt = document.createElement('dt');
    dt.textContent = k;
    const dd = document.createElement('dd');
    dd.textContent = v;
    facts.append(dt, dd);
  };
  fact('From', title);
  if (report.issuer) {
    const trust = report.trusted === true ? ' (trusted)' : report.trusted === false ? ' (not on trust list)' : '';
    fact('Issuer', report.issuer + trust);
  }
  if (report.signedBy) fact('Signed by', report.signedBy.key || report.signedBy.controller);
  if (report.source) fact('Found in', report.source);
  const reason = report.checks.find(blocking);
  if (reason) {
    const p = node.querySelector('.reason');
    const strong = document.createElement('strong');
    strong.textContent = 'Why: ';
    p.append(strong, `${label(reason.id)}: ${reason.problem ? reason.problem.detail : reason.outcome}`);
  }
  const body = node.querySelector('tbody');
  for (const c of report.checks) {
    const tr = document.createElement('tr');
    const cells = [label(c.id), c.fatal || c.outcome === 'passed' ? OUTCOMES[c.outcome] : `${OUTCOMES[c.outcome]} (not fatal)`,
      c.problem ? c.problem.detail + (c.problem.instance ? ` (at ${c.problem.instance})` : '') : (c.note || '')];
    cells.forEach((t, i) => {
      const td = document.createElement(i === 0 ? 'th' : 'td');
      if (i === 0) td.scope = 'row';
      if (i === 1) td.className = c.outcome;
      td.textContent = t;
      tr.append(td);
    });
    body.append(tr);
  }
  const pre = node.querySelector('pre');
  if (text) pre.textContent = pretty(text);
  else node.querySelector('details.credential').remove();
  // A presentation or CLR: each credential it carries, with its own report.
  const nested = [...(report.credentials || []), ...(report.endorsements || [])];
  if (nested.length) {
    const ol = document.createElement('ol');
    ol.className = 'results';
    nested.forEach((r, i) => ol.append(render(r, `${title}, credential ${i + 1}`, null)));
    node.querySelector('article').append(ol);
  }
  return node;
}

async function add(bytes, title) {
  const strict = $('strict').checked;
  let report;
  try {
    report = await call('verify', bytes, { strict });
  } catch (e) {
    report = {
      verified: false,
      headline: `NOT VERIFIED (${e.kind || 'error'}: ${e.message})`,
      checks: [],
    };
  }
  let text = null;
  try { text = credentialText(bytes, report); } catch { text = null; }
  const li = render(report, title, text);
  li.dataset.title = title;
  $('results').append(li);
  $('empty').hidden = true;
  if (text) {
    wallet.push({ title, text });
    const select = $('bake-credential');
    if (wallet.length === 1) select.innerHTML = '';
    const option = document.createElement('option');
    option.value = String(wallet.length - 1);
    option.textContent = `${report.achievement || title} — ${report.headline}`;
    select.append(option);
  }
  return report;
}

async function addFiles(files) {
  let n = 0;
  for (const file of files) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    await add(bytes, file.name);
    n += 1;
  }
  statusLine.textContent = `Checked ${n} badge${n === 1 ? '' : 's'}.`;
}

function download(bytes, name, type) {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.textContent = `Download ${name}`;
  return a;
}

async function bakeSelected() {
  const out = $('bake-result');
  out.textContent = '';
  const file = $('bake-image').files[0];
  const chosen = wallet[Number($('bake-credential').value)];
  if (!file || !chosen) {
    out.textContent = 'Choose an image and a badge first.';
    return;
  }
  try {
    const image = new Uint8Array(await file.arrayBuffer());
    const baked = await call('bake', image, chosen.text);
    const svg = !(baked[0] === 0x89 && baked[1] === 0x50);
    const type = svg ? 'image/svg+xml' : 'image/png';
    const name = file.name.replace(/(\.[^.]+)?$/, svg ? '-baked.svg' : '-baked.png');
    const back = lib.extract(baked);
    const img = document.createElement('img');
    img.className = 'baked';
    img.alt = `The baked image, ${name}`;
    img.src = URL.createObjectURL(new Blob([baked], { type }));
    out.append(`Baked ${chosen.title} into ${name} (${baked.length} bytes; ${back ? 'the badge reads back' : 'no badge found in it'}). `,
      download(baked, name, type), img);
  } catch (e) {
    out.textContent = `Could not bake: ${e.message}`;
  }
}

async function main() {
  await load();
  statusLine.textContent = `Ready (openbadges ${lib.version()}). Add badges to check them.`;
  document.body.dataset.ready = 'true';
  $('files').addEventListener('change', (e) => addFiles(e.target.files));
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    addFiles(e.dataTransfer.files);
  });
  $('verify-pasted').addEventListener('click', async () => {
    const text = $('pasted').value.trim();
    if (!text) {
      statusLine.textContent = 'Paste a badge first.';
      return;
    }
    await add(new TextEncoder().encode(text), 'Pasted badge');
    statusLine.textContent = 'Checked the pasted badge.';
  });
  $('bake').addEventListener('click', bakeSelected);
}

main().catch((e) => {
  statusLine.textContent = `The verifier could not start: ${e.message}`;
});
