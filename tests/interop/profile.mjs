// node profile.mjs PROFILE.json < signed.json — exit 0 iff the JS stack verifies a credential whose
// issuer is an https Profile (or did:web document) listing its keys, with the document loader
// serving only that published document (and its verification methods by fragment).
import {readFileSync} from 'node:fs';
import {documentLoader as base, verify} from './stack.mjs';

const controller = JSON.parse(readFileSync(process.argv[2], 'utf8'));

async function documentLoader(url) {
  if(url === controller.id) {
    return {contextUrl: null, documentUrl: url, document: controller};
  }
  if(url.startsWith(controller.id + '#')) {
    const vm = [].concat(controller.verificationMethod ?? []).find(m => m.id === url);
    if(vm) {
      const document = {'@context': 'https://w3id.org/security/multikey/v1', ...vm};
      return {contextUrl: null, documentUrl: url, document};
    }
  }
  return base(url);
}

try {
  const result = await verify(JSON.parse(readFileSync(0, 'utf8')), documentLoader);
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(result.verified ? 0 : 1);
} catch(e) {
  process.stdout.write(JSON.stringify({verified: false, errors: [e.message]}) + '\n');
  process.exit(1);
}
