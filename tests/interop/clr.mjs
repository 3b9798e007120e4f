// node clr.mjs CLR_CONTEXT_FILE < clr.json — exit 0 iff the JS stack verifies the ClrCredential
// and every credential nested in it. The CLR 2.0 context comes from the file given (1EdTech's
// official copy, in ../shared), so the JS side never sees the project's own context.
import {readFileSync} from 'node:fs';
import {documentLoader as base, verify} from './stack.mjs';

const CLR = 'https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json';
const clrContext = JSON.parse(readFileSync(process.argv[2], 'utf8'));

async function documentLoader(url) {
  if(url === CLR) {
    return {contextUrl: null, documentUrl: url, document: clrContext};
  }
  return base(url);
}

const check = credential => verify(credential, documentLoader);

try {
  const clr = JSON.parse(readFileSync(0, 'utf8'));
  const outer = await check(clr);
  const nested = [];
  for(const c of [].concat(clr.credentialSubject?.verifiableCredential ?? [])) {
    nested.push(await check(c));
  }
  const verified = outer.verified && nested.length > 0 && nested.every(n => n.verified);
  process.stdout.write(JSON.stringify({verified, outer, nested}) + '\n');
  process.exit(verified ? 0 : 1);
} catch(e) {
  process.stdout.write(JSON.stringify({verified: false, errors: [e.message]}) + '\n');
  process.exit(1);
}
