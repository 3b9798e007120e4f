// The wallet page (target/wallet, built by bindings/wasm/build.sh) in Debian's headless Chromium,
// driven by playwright-core (tests/browser/node_modules), served from a loopback static server:
// it verifies a badge signed by the JS reference stack and one issued here, rejects a tampered
// one with the reason, extracts the badge from a baked PNG, bakes one, and is usable from the
// keyboard. Screenshots go to target/wasm-page/. It also measures, in Chromium, the rdfc verify
// time per badge (../shared/tools/samples/ob3-microcredential.json signed with eddsa-rdfc-2022)
// and writes the figures to target/wasm-page/bench.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync, crc32 } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const wallet = join(root, 'target/wallet');
const outdir = join(root, 'target/wasm-page');
const interop = join(root, 'tests/interop');
const shared = resolve(root, '../shared');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const playwrightDir = join(root, 'tests/browser/node_modules/playwright-core');

const SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';

const missing = [
  [existsSync(join(wallet, 'pkg/openbadges_bg.wasm')), 'no built wallet at target/wallet (bindings/wasm/build.sh)'],
  [existsSync(join(root, 'bindings/wasm/pkg-node/openbadges.js')), 'no bindings/wasm/pkg-node (bindings/wasm/build.sh)'],
  [existsSync(chromiumPath), `no Chromium at ${chromiumPath}`],
  [existsSync(playwrightDir), 'tests/browser/node_modules is absent (npm ci in tests/browser)'],
  [existsSync(join(interop, 'node_modules')), 'tests/interop/node_modules is absent (npm ci in tests/interop)'],
].find(([ok]) => !ok);
const skip = missing ? `skipping: ${missing[1]}` : false;

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm', '.json': 'application/json',
  '.ts': 'text/plain; charset=utf-8',
};

/** A plain static file server for `dir` on 127.0.0.1 (a stand-in for any file server). */
function serve(dir) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = normalize(join(dir, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] || 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

/** A 64×64 PNG (a blue square), written here so the test needs no image file. */
function png() {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(64, 0);
  ihdr.writeUInt32BE(64, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(64 * 4, Buffer.from([11, 79, 156, 255]))]);
  const raw = Buffer.concat(Array.from({ length: 64 }, () => row));
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

function credential(did, name) {
  return {
    '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
    id: 'urn:uuid:7d8c2b1a-0f3e-4d5c-9b8a-1e2f3a4b5c6d',
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name,
    issuer: { id: did, type: ['Profile'], name: 'Riverside Unified' },
    validFrom: '2026-02-01T12:00:00Z',
    credentialSubject: {
      id: 'did:example:teacher-42',
      type: ['AchievementSubject'],
      achievement: {
        id: 'https://riverside.example/achievements/collaborative-learning',
        type: ['Achievement'],
        name,
        description: 'Plans and runs group work; Évaluation formative.',
        criteria: { narrative: 'Scored 3+ on the rubric.' },
      },
    },
  };
}

test('the wallet page in headless Chromium', { skip, timeout: 300_000 }, async () => {
  mkdirSync(outdir, { recursive: true });
  const ob = createRequire(import.meta.url)(join(root, 'bindings/wasm/pkg-node/openbadges.js'));
  const key = ob.keyFromSeed(SEED);
  const did = ob.publicKey(key).did;
  const inputs = mkdtempSync(join(tmpdir(), 'ob-wallet-'));
  const file = (name, content) => {
    const p = join(inputs, name);
    writeFileSync(p, content);
    return p;
  };
  const jsSigned = execFileSync('node', ['sign.mjs', '--seed', SEED, '--suite', 'eddsa-rdfc-2022'], {
    cwd: interop, input: JSON.stringify(credential(did, 'Signed by the JS reference')), encoding: 'utf8',
  });
  const ours = ob.issue(credential(did, 'Issued in WebAssembly'), key, 'eddsa-rdfc-2022');
  const tampered = JSON.parse(jsSigned);
  tampered.credentialSubject.achievement.name = 'Signed by the JS referenc3';
  const bakedPng = ob.bake(png(), ours);
  const files = {
    js: file('js-signed.json', jsSigned),
    ours: file('issued-here.json', JSON.stringify(ours, null, 2)),
    tampered: file('tampered.json', JSON.stringify(tampered, null, 2)),
    baked: file('baked.png', bakedPng),
    plain: file('plain.png', png()),
  };

  const { chromium } = createRequire(import.meta.url)(playwrightDir);
  const server = await serve(wallet);
  const url = `http://127.0.0.1:${server.address().port}/`;
  const profile = mkdtempSync(join(tmpdir(), 'ob-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // Nothing leaves the loopback server: record every request the page makes.
    const requested = [];
    page.on('request', (r) => requested.push(r.url()));
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.title(), 'Badge wallet');
    assert.match(await page.locator('#status').innerText(), /^Ready/);

    // Labels and keyboard order: file input, text area, the verify button, the strict box.
    assert.equal(await page.getByLabel(/Badge files/).count(), 1);
    assert.equal(await page.getByLabel(/paste a badge/).count(), 1);
    await page.keyboard.press('Tab');
    assert.equal(await page.locator('#files:focus').count(), 1, 'Tab focuses the file input');
    await page.keyboard.press('Tab');
    assert.equal(await page.locator('#pasted:focus').count(), 1, 'then the text area');
    await page.keyboard.press('Tab');
    assert.equal(await page.locator('#verify-pasted:focus').count(), 1, 'then the button');
    await page.screenshot({ path: join(outdir, 'empty.png'), fullPage: true });

    await page.setInputFiles('#files', [files.js, files.ours, files.tampered]);
    await page.waitForFunction(() => document.querySelectorAll('#results > li').length === 3);
    const cards = page.locator('#results > li');
    const verdicts = await cards.locator('.verdict').allInnerTexts();
    assert.match(verdicts[0], /^VERIFIED/, verdicts[0]);
    assert.match(verdicts[1], /^VERIFIED/, verdicts[1]);
    assert.match(verdicts[2], /^NOT VERIFIED/, verdicts[2]);
    assert.match(await cards.nth(0).locator('.name').innerText(), /Signed by the JS reference/);
    assert.match(await cards.nth(1).locator('.name').innerText(), /Issued in WebAssembly/);
    const reason = await cards.nth(2).locator('.reason').innerText();
    assert.match(reason, /Signature/, reason);
    // The same headline and checks as the native library gives (the Node build of the package).
    const native = ob.verify(readFileSync(files.tampered));
    assert.equal(verdicts[2], native.headline);
    const rows = await cards.nth(2).locator('tbody tr').count();
    assert.equal(rows, native.checks.length);
    await page.screenshot({ path: join(outdir, 'verified-and-tampered.png'), fullPage: true });
    console.log(`page: ${verdicts.join(' | ')} — ${reason}`);

    // A baked PNG: verified, and the credential extracted from it is shown.
    await page.setInputFiles('#files', [files.baked]);
    await page.waitForFunction(() => document.querySelectorAll('#results > li').length === 4);
    const baked = cards.nth(3);
    assert.match(await baked.locator('.verdict').innerText(), /^VERIFIED/);
    await baked.locator('details.credential summary').click();
    const shown = JSON.parse(await baked.locator('details.credential pre').innerText());
    assert.deepEqual(shown, ours, 'the credential extracted from the PNG');
    await page.screenshot({ path: join(outdir, 'baked-png.png'), fullPage: true });

    // Bake: the JS-signed badge into a plain PNG; the page reads it back.
    await page.setInputFiles('#bake-image', [files.plain]);
    await page.selectOption('#bake-credential', { index: 0 });
    await page.click('#bake');
    await page.waitForFunction(() => /Baked/.test(document.querySelector('#bake-result').textContent));
    assert.match(await page.locator('#bake-result').innerText(), /the badge reads back/);
    assert.equal(await page.locator('#bake-result img.baked').count(), 1);
    await page.screenshot({ path: join(outdir, 'bake.png'), fullPage: true });

    assert.deepEqual(errors, [], 'no page errors');
    for (const r of requested) {
      assert.ok(r.startsWith(url) || r.startsWith('blob:') || r.startsWith('data:'), `the page requested ${r}`);
    }

    // rdfc verify time per badge, in Chromium, on the shared sample credential.
    const samplePath = join(shared, 'tools/samples/ob3-microcredential.json');
    if (existsSync(samplePath)) {
      const sample = JSON.parse(readFileSync(samplePath, 'utf8'));
      sample.issuer = typeof sample.issuer === 'object' ? { ...sample.issuer, id: did } : did;
      const signed = ob.issue(sample, key, 'eddsa-rdfc-2022');
      const figures = await page.evaluate(async (text) => {
        const m = await import('./pkg/openbadges.js');
        const bytes = new TextEncoder().encode(text);
        const first = m.verify(bytes);
        for (let i = 0; i < 20; i += 1) m.verify(bytes);
        // performance.now() is coarse (100 µs) in a page that is not cross-origin isolated: time
        // batches of 10 and report the per-badge figures.
        const n = 300;
        const batch = 10;
        const times = [];
        const start = performance.now();
        for (let i = 0; i < n / batch; i += 1) {
          const t0 = performance.now();
          for (let j = 0; j < batch; j += 1) m.verify(bytes);
          times.push((performance.now() - t0) / batch);
        }
        const mean = (performance.now() - start) / n;
        times.sort((a, b) => a - b);
        return { verified: first.verified, headline: first.headline, n, mean_ms: mean,
          median_ms: times[times.length >> 1], min_ms: times[0] };
      }, JSON.stringify(signed));
      assert.equal(figures.verified, true, figures.headline);
      const wasmBytes = statSync(join(wallet, 'pkg/openbadges_bg.wasm')).size;
      const bench = { chromium: context.browser()?.version() ?? execFileSync(chromiumPath, ['--version'], { encoding: 'utf8' }).trim(), ...figures, wasm_bytes: wasmBytes };
      writeFileSync(join(outdir, 'bench.json'), `${JSON.stringify(bench, null, 2)}\n`);
      console.log(`rdfc verify in Chromium ${bench.chromium}: median ${figures.median_ms.toFixed(3)} ms, mean ${figures.mean_ms.toFixed(3)} ms, min ${figures.min_ms.toFixed(3)} ms per badge (n=${figures.n}); .wasm ${wasmBytes} bytes`);
    } else {
      console.log('skipping the measurement: ../shared/tools/samples is absent');
    }
  } finally {
    await context.close();
    server.close();
    rmSync(profile, { recursive: true, force: true });
    rmSync(inputs, { recursive: true, force: true });
  }
});
