// node sign.mjs --seed HEX --suite eddsa-rdfc-2022|Ed25519Signature2020 < credential.json
// Prints the credential signed by the JS stack (the issuer id must already be the key's did:key).
import {readFileSync} from 'node:fs';
import {documentLoader, keyFromSeed, suite, vc} from './stack.mjs';

const arg = n => process.argv[process.argv.indexOf(`--${n}`) + 1];
try {
  const {key} = await keyFromSeed(arg('seed'));
  const credential = JSON.parse(readFileSync(0, 'utf8'));
  const signed = await vc.issue({credential, suite: suite(arg('suite'), key), documentLoader});
  process.stdout.write(JSON.stringify(signed, null, 2) + '\n');
} catch(e) {
  process.stderr.write(`sign failed: ${e.message}\n`);
  process.exit(1);
}
