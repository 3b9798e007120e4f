// Independent JOSE implementation (panva/jose) for VC-JWT interop:
// node jose.mjs verify < {"token", "jwk", "alg"}  → exit 0 iff jose verifies the compact JWS
// node jose.mjs sign   < {"payload", "jwk", "alg"} → a compact JWS signed by jose (jwk is private)
import {readFileSync} from 'node:fs';
import * as jose from 'jose';

const input = JSON.parse(readFileSync(0, 'utf8'));
try {
  if(process.argv[2] === 'verify') {
    const key = await jose.importJWK(input.jwk, input.alg);
    const {payload} = await jose.compactVerify(input.token, key, {algorithms: [input.alg]});
    process.stdout.write(new TextDecoder().decode(payload) + '\n');
  } else {
    const key = await jose.importJWK(input.jwk, input.alg);
    const pub = {...input.jwk};
    for(const k of ['d', 'p', 'q', 'dp', 'dq', 'qi']) delete pub[k];
    const token = await new jose.CompactSign(new TextEncoder().encode(JSON.stringify(input.payload)))
      .setProtectedHeader({alg: input.alg, typ: 'JWT', jwk: pub}).sign(key);
    process.stdout.write(token + '\n');
  }
} catch(e) {
  process.stderr.write(`jose.mjs: ${e.message}\n`);
  process.exit(1);
}
