// node status.mjs check < {"credential": …, "list": …}   → {"verified", "status"} via the JS
//   reference's checkStatus (verifies the list credential's proof and issuer, reads the bit).
// node status.mjs make --seed HEX --url URL --set N,M < {} → a signed BitstringStatusListCredential
//   made by the JS reference with those bits set.
import {readFileSync} from 'node:fs';
import * as bsl from '@digitalbazaar/vc-bitstring-status-list';
import {documentLoader, keyFromSeed, suite, vc} from './stack.mjs';

const arg = n => process.argv[process.argv.indexOf(`--${n}`) + 1];
const input = JSON.parse(readFileSync(0, 'utf8') || '{}');

try {
  if(process.argv[2] === 'check') {
    const loader = async url => url === input.list.id ?
      {contextUrl: null, documentUrl: url, document: input.list} : documentLoader(url);
    const result = await bsl.checkStatus({
      credential: input.credential, documentLoader: loader, suite: suite('eddsa-rdfc-2022'),
      verifyBitstringStatusListCredential: true, verifyMatchingIssuers: true
    });
    const status = result.results ? result.results.map(r => r.status) : result.status;
    process.stdout.write(JSON.stringify({verified: result.verified, status,
      error: result.error && String(result.error.message || result.error)}) + '\n');
  } else {
    const {key, did} = await keyFromSeed(arg('seed'));
    const list = await bsl.createList({length: 131072});
    for(const i of (arg('set') || '').split(',').filter(Boolean)) {
      list.setStatus(Number(i), true);
    }
    const credential = await bsl.createCredential({id: arg('url'), list, statusPurpose: 'revocation'});
    credential.issuer = did;
    credential.validFrom = '2026-01-01T00:00:00Z';
    const signed = await vc.issue({credential, suite: suite('eddsa-rdfc-2022', key), documentLoader});
    process.stdout.write(JSON.stringify(signed) + '\n');
  }
} catch(e) {
  process.stderr.write(`status.mjs: ${e.stack || e}\n`);
  process.exit(1);
}
