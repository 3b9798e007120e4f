// The WebAssembly package, called from Node (`node --test bindings/wasm/tests/`), on the inputs of
// tests/interop.rs and ../shared: it must give the same report as the native CLI
// (`target/debug/openbadges verify --json`, same options) and what the sources expect.
//
// Needs bindings/wasm/pkg-node (bindings/wasm/build.sh). The native comparisons need the CLI
// (`cargo build`); the JS-reference cases need tests/interop/node_modules (`npm ci` there); the
// corpus cases need ../shared. Each skips with a message when its part is absent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const pkgDir = join(root, 'bindings/wasm/pkg-node');
const cli = process.env.OPENBADGES_CLI || join(root, 'target/debug/openbadges');
const interop = join(root, 'tests/interop');
const shared = resolve(root, '../shared');

if (!existsSync(join(pkgDir, 'openbadges.js'))) {
  throw new Error(`no package at ${pkgDir}: run bindings/wasm/build.sh first`);
}
const ob = createRequire(import.meta.url)(join(pkgDir, 'openbadges.js'));

const SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
// After the proofs this test makes (a proof created after the verification time is refused).
const AT = '2027-06-01T00:00:00Z';
const tmp = mkdtempSync(join(tmpdir(), 'ob-wasm-test-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

/** The credential of tests/interop.rs (VC 2.0 or 1.1), issued by the seed's did:key. */
function credential(did, vc1 = false) {
  const c = {
    '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
    id: 'urn:uuid:7d8c2b1a-0f3e-4d5c-9b8a-1e2f3a4b5c6d',
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: 'Collaborative Learning',
    issuer: { id: did, type: ['Profile'], name: 'Riverside Unified — Évaluation' },
    validFrom: '2026-02-01T12:00:00Z',
    credentialSubject: {
      id: 'did:example:teacher-42',
      type: ['AchievementSubject'],
      creditsEarned: 0.5,
      achievement: {
        id: 'https://riverside.example/achievements/collaborative-learning',
        type: ['Achievement'],
        name: 'Collaborative Learning',
        description: 'SAFe® practices; Évaluation formative; 协作学习 🎓\nwith a second line',
        achievementType: 'MicroCredential',
        creditsAvailable: 2.5,
        criteria: { narrative: 'Scored 3+ on the rubric: «très bien».' },
      },
    },
  };
  if (vc1) {
    c['@context'][0] = 'https://www.w3.org/2018/credentials/v1';
    delete c.validFrom;
    c.issuanceDate = '2026-02-01T12:00:00Z';
  }
  return c;
}

/** The native CLI's JSON report(s) for files, with the same options. */
function nativeReports(files, { at = AT, strict = false, resources = [] } = {}) {
  const args = ['verify', '--json', '--offline', '--at', at];
  if (strict) args.push('--strict');
  for (const [url, file] of resources) args.push('--resource', `${url}=${file}`);
  const out = spawnSync(cli, [...args, ...files], { encoding: 'utf8', maxBuffer: 256 << 20 });
  assert.ok(out.status === 0 || out.status === 1, `CLI failed (${out.status}): ${out.stderr}`);
  const json = JSON.parse(out.stdout);
  return files.length === 1 ? [json] : json;
}

/** The parts of a report both sides must agree on (the CLI names the file as `source`). */
function comparable(report) {
  const { headline, source, ...rest } = report;
  return rest;
}

function sameAsNative(wasmReport, file, options) {
  const [native] = nativeReports([file], options);
  assert.deepEqual(comparable(wasmReport), comparable(native), `wasm and CLI disagree on ${file}`);
}

function writeTmp(name, content) {
  const p = join(tmp, name);
  writeFileSync(p, typeof content === 'string' || content instanceof Uint8Array ? content : JSON.stringify(content, null, 2));
  return p;
}

function jsSign(credential, suite) {
  return JSON.parse(execFileSync('node', ['sign.mjs', '--seed', SEED, '--suite', suite], {
    cwd: interop, input: JSON.stringify(credential), encoding: 'utf8',
  }));
}

function jsVerifies(signed) {
  const r = spawnSync('node', ['verify.mjs'], { cwd: interop, input: JSON.stringify(signed), encoding: 'utf8' });
  return r.status === 0 ? true : r.stdout + r.stderr;
}

const haveCli = existsSync(cli);
const haveJs = existsSync(join(interop, 'node_modules'));
const haveShared = existsSync(join(shared, 'README.md'));
const needCli = haveCli ? false : `no native CLI at ${cli} (cargo build)`;
const needJs = haveJs ? needCli : 'tests/interop/node_modules is absent (npm ci in tests/interop)';
const needShared = haveShared ? needCli : '../shared is absent';

const seedJwk = () => ob.keyFromSeed(SEED);

test('the package loads and names its version', () => {
  assert.match(ob.version(), /^\d+\.\d+\.\d+/);
});

test('a badge signed by the JS reference verifies, as natively; a tampered one fails on its proof', { skip: needJs }, () => {
  const did = ob.publicKey(seedJwk()).did;
  for (const [vc1, suite] of [[false, 'eddsa-rdfc-2022'], [true, 'eddsa-rdfc-2022'], [false, 'Ed25519Signature2020'], [true, 'Ed25519Signature2020']]) {
    const signed = jsSign(credential(did, vc1), suite);
    const report = ob.verify(JSON.stringify(signed), { at: AT });
    assert.equal(report.verified, true, `${suite} vc1=${vc1}: ${report.headline}`);
    assert.match(report.headline, /^VERIFIED/);
    sameAsNative(report, writeTmp(`js-${suite}-${vc1}.json`, signed));

    const tampered = structuredClone(signed);
    tampered.credentialSubject.achievement.name = 'Collaborative Learninh';
    const bad = ob.verify(new TextEncoder().encode(JSON.stringify(tampered)), { at: AT });
    assert.equal(bad.verified, false);
    assert.match(bad.headline, /^NOT VERIFIED/);
    const proof = bad.checks.find((c) => c.id === 'proof');
    assert.equal(proof.outcome, 'failed', JSON.stringify(proof));
    sameAsNative(bad, writeTmp(`js-${suite}-${vc1}-tampered.json`, tampered));
  }
});

test('issued here (every securing method) verifies here, natively and, for Data Integrity, in the JS reference', { skip: needJs }, () => {
  const ed = seedJwk();
  const did = ob.publicKey(ed).did;
  for (const securing of ['eddsa-rdfc-2022', 'eddsa-jcs-2022', 'Ed25519Signature2020', 'jwt-eddsa']) {
    const issued = ob.issue(credential(did), ed, securing);
    const report = ob.verify(typeof issued === 'string' ? issued : JSON.stringify(issued), { at: AT });
    assert.equal(report.verified, true, `${securing}: ${report.headline} ${JSON.stringify(report.checks)}`);
    sameAsNative(report, writeTmp(`ours-${securing}.txt`, typeof issued === 'string' ? issued : JSON.stringify(issued)));
    if (securing === 'eddsa-rdfc-2022' || securing === 'Ed25519Signature2020') {
      assert.equal(jsVerifies(issued), true, `JS reference refused our ${securing}`);
    }
  }
  for (const [alg, securing] of [['P256', 'jwt-es256'], ['Rsa', 'jwt-rs256']]) {
    const key = ob.generateKey(alg);
    const c = credential('https://riverside.example/issuers/1');
    const token = ob.issue(c, key, securing);
    assert.equal(typeof token, 'string');
    assert.equal(token.split('.').length, 3);
    const report = ob.verify(token, { at: AT });
    sameAsNative(report, writeTmp(`ours-${securing}.jwt`, token));
  }
});

test('errors are thrown Errors with the crate kind, never traps', () => {
  const kindOf = (f) => {
    try {
      f();
    } catch (e) {
      assert.ok(e instanceof Error, 'an Error');
      assert.equal(e.name, 'OpenBadgesError');
      assert.ok(e.message.length > 0);
      return e.kind;
    }
    assert.fail('did not throw');
  };
  assert.equal(kindOf(() => ob.verify(42)), 'usage');
  assert.equal(kindOf(() => ob.verify('{}', { at: 'yesterday' })), 'usage');
  assert.equal(kindOf(() => ob.verify('{}', { strict: 'yes' })), 'usage');
  assert.equal(kindOf(() => ob.verify(new Uint8Array(16 * 1024 * 1024 + 1))), 'limit');
  assert.equal(kindOf(() => ob.extract(new TextEncoder().encode('not an image'))), 'usage');
  assert.equal(kindOf(() => ob.issue({}, { kty: 'OKP', crv: 'Ed25519', x: 'AAAA' }, 'eddsa-rdfc-2022')), 'key');
  assert.equal(kindOf(() => ob.issue(credential('did:example:x'), seedJwk(), 'rot13')), 'usage');
  // Malformed input is a report, not an error: the verdict says why.
  const r = ob.verify('{"@context": [', {});
  assert.equal(r.verified, false);
  assert.match(r.headline, /^NOT VERIFIED/);
  // The package still works after every one of those.
  assert.equal(ob.verify('%PDF-1.7').verified, false);
});

test('the wild corpus: same report as the native CLI on every file, with its resources', { skip: needShared }, () => {
  const wild = join(shared, 'wild');
  const rows = readFileSync(join(wild, 'README.md'), 'utf8').split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| file') && !l.startsWith('|---'))
    .map((l) => l.split('|').map((c) => c.trim()))
    .map((c) => ({ file: c[1], expected: c[6], resources: c[7] }));
  assert.ok(rows.length >= 100, `the wild README lists ${rows.length} files`);
  // One CLI run per distinct resource set.
  const groups = new Map();
  for (const row of rows) {
    const resources = row.resources === '–' ? [] : row.resources.split(';').map((r) => {
      const [url, file] = r.split(' = ').map((s) => s.trim());
      return [url, join(wild, file)];
    });
    const key = JSON.stringify(resources);
    if (!groups.has(key)) groups.set(key, { resources, rows: [] });
    groups.get(key).rows.push(row);
  }
  let compared = 0;
  let tamperedSeen = 0;
  for (const { resources, rows: group } of groups.values()) {
    const files = group.map((r) => join(wild, r.file));
    const native = nativeReports(files, { resources });
    const docs = Object.fromEntries(resources.map(([url, file]) => [url, readFileSync(file)]));
    group.forEach((row, i) => {
      const report = ob.verify(readFileSync(files[i]), { at: AT, resources: docs });
      assert.deepEqual(comparable(report), comparable(native[i]), `wasm and CLI disagree on ${row.file}`);
      if (/^tampered/.test(row.expected)) {
        tamperedSeen += 1;
        assert.equal(report.verified, false, `${row.file} is tampered`);
      }
      compared += 1;
    });
  }
  assert.equal(compared, rows.length);
  assert.ok(tamperedSeen >= 3, 'the corpus has tampered credentials');
});

test('1EdTech baked images: extract gives the credential as baked; verify agrees with the CLI', { skip: needShared }, () => {
  const dir = join(shared, 'standards/ob/validator-fixtures/ob30');
  const images = readdirSync(dir).filter((f) => /\.(png|svg)$/.test(f));
  assert.ok(images.length >= 6, `found ${images.length} baked images`);
  for (const name of images) {
    const bytes = readFileSync(join(dir, name));
    const baked = ob.extract(bytes);
    assert.ok(baked, `${name} carries a credential`);
    assert.equal(baked.format, name.includes('jwt') ? 'jwt' : 'json-ld', name);
    const native = execFileSync(cli, ['extract', join(dir, name)], { encoding: 'utf8' });
    assert.equal(baked.text.trim(), native.trim(), `extract of ${name}`);
    for (const strict of [false, true]) {
      const report = ob.verify(bytes, { at: AT, strict });
      sameAsNative(report, join(dir, name), { strict });
    }
    const imported = ob.importCredentials(bytes);
    assert.equal(imported.length, 1, name);
  }
});

test('bake then extract round-trips, in PNG and SVG', { skip: needShared }, () => {
  const ed = seedJwk();
  const issued = ob.issue(credential(ob.publicKey(ed).did), ed, 'eddsa-rdfc-2022');
  const dir = join(shared, 'standards/ob/validator-fixtures/ob30');
  for (const name of ['simple-json.png', 'simple-json.svg']) {
    const image = readFileSync(join(dir, name));
    const baked = ob.bake(image, issued);
    assert.ok(baked instanceof Uint8Array);
    const back = ob.extract(baked);
    assert.deepEqual(JSON.parse(back.text), issued);
    const report = ob.verify(baked, { at: AT });
    assert.equal(report.verified, true, report.headline);
    sameAsNative(report, writeTmp(`baked-${name}`, baked));
  }
});

test('options: trust list, strict, resources and recipient change the report as natively', { skip: needCli }, () => {
  const ed = seedJwk();
  const did = ob.publicKey(ed).did;
  const issued = ob.issue(credential(did), ed, 'eddsa-rdfc-2022');
  const trusted = ob.verify(JSON.stringify(issued), { at: AT, trust: [did] });
  assert.equal(trusted.trusted, true);
  const untrusted = ob.verify(JSON.stringify(issued), { at: AT, trust: { issuers: [{ id: 'did:example:other' }] } });
  assert.equal(untrusted.trusted, false);
  const before = ob.verify(JSON.stringify(issued), { at: new Date('2026-01-01T00:00:00Z') });
  assert.equal(before.verified, false);
  assert.match(before.headline, /^NOT VERIFIED/);
  const forOther = ob.verify(JSON.stringify(issued), { at: AT, recipient: 'did:example:someone-else' });
  assert.equal(forOther.verified, false);
});
