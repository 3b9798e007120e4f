// node present.mjs verify --challenge C --domain D < vp.json   → exit 0 iff the JS stack verifies it
// node present.mjs sign --seed HEX --challenge C --domain D < [credentials] → a VP signed by the JS stack
import {readFileSync} from 'node:fs';
import {documentLoader, keyFromSeed, suite, vc} from './stack.mjs';

const arg = n => process.argv[process.argv.indexOf(`--${n}`) + 1];
const input = JSON.parse(readFileSync(0, 'utf8'));
try {
  if(process.argv[2] === 'verify') {
    const result = await vc.verify({
      presentation: input, challenge: arg('challenge'), domain: arg('domain'),
      suite: [suite('eddsa-rdfc-2022'), suite('Ed25519Signature2020')], documentLoader
    });
    const errors = [];
    const walk = r => { if(!r) return; if(r.error) errors.push(String(r.error.message || r.error)); (r.results || []).forEach(walk); };
    walk(result.presentationResult); (result.credentialResults || []).forEach(walk); if(result.error) errors.push(String(result.error.message || result.error));
    process.stdout.write(JSON.stringify({verified: result.verified, errors}) + '\n');
    process.exit(result.verified ? 0 : 1);
  } else {
    const {key, did} = await keyFromSeed(arg('seed'));
    const presentation = vc.createPresentation({verifiableCredential: input, holder: did});
    const signed = await vc.signPresentation({presentation, suite: suite('eddsa-rdfc-2022', key),
      challenge: arg('challenge'), domain: arg('domain'), documentLoader});
    process.stdout.write(JSON.stringify(signed) + '\n');
  }
} catch(e) {
  process.stderr.write(`present.mjs: ${e.stack || e}\n`);
  process.exit(1);
}
