// node verify.mjs < signed.json — exit 0 iff the JS stack verifies the credential.
import {readFileSync} from 'node:fs';
import {verify} from './stack.mjs';

try {
  const result = await verify(JSON.parse(readFileSync(0, 'utf8')));
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(result.verified ? 0 : 1);
} catch(e) {
  process.stdout.write(JSON.stringify({verified: false, errors: [e.message]}) + '\n');
  process.exit(1);
}
