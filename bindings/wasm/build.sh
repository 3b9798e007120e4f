#!/usr/bin/env bash
# Builds the WebAssembly package with Debian's toolchain (see README "In the browser"):
#   apt-get install rustc-web rust-web-src lld lld-22   # /usr/bin/rustc, /usr/bin/cargo, std sources;
#     rustc-web 1.96 links with /usr/bin/rust-lld, a link to lld-22 (not lld 14)
#   cargo install wasm-bindgen-cli --version <the wasm-bindgen version in Cargo.lock>
# Outputs (git-ignored):
#   bindings/wasm/pkg/       npm package for browsers (--target web): package.json, .d.ts, .js, .wasm
#   bindings/wasm/pkg-node/  the same for Node (--target nodejs), used by bindings/wasm/tests
#   target/wallet/           the wallet page (www/) with pkg/ beside it: serve it from any file
#                            server, or with `openbadges serve --wallet target/wallet`
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

RUSTC_BIN="${RUSTC_BIN:-/usr/bin/rustc}"
CARGO_BIN="${CARGO_BIN:-/usr/bin/cargo}"
target_dir="${CARGO_TARGET_DIR:-$root/target}"

# The exact wasm-bindgen the lockfile pins: the CLI and the crate must agree on the ABI.
want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
if [ "$have" != "$want" ]; then
  echo "build.sh: wasm-bindgen-cli $want is needed (found '${have:-none}'):" >&2
  echo "  cargo install wasm-bindgen-cli --version $want" >&2
  exit 2
fi

echo "== cargo build --target wasm32-unknown-unknown ($("$RUSTC_BIN" --version))"
# Size and speed: one codegen unit with full LTO and opt-level "s" (3.84 MB instead of 5.59 MB at
# opt-level 3 when the crate used `jsonschema`, no slower in the page test; 1.49 MB since its own
# schema engine) for this build only (the workspace release profile
# stays as it is for the CLI); panic=abort because the target cannot unwind.
RUSTC="$RUSTC_BIN" RUSTC_BOOTSTRAP=1 \
CARGO_PROFILE_RELEASE_LTO=fat \
CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
CARGO_PROFILE_RELEASE_PANIC=abort \
CARGO_PROFILE_RELEASE_OPT_LEVEL="${OPENBADGES_WASM_OPT_LEVEL:-s}" \
  "$CARGO_BIN" build --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort --release \
  -p openbadges-wasm

wasm="$target_dir/wasm32-unknown-unknown/release/openbadges_wasm.wasm"
rm -rf "$here/pkg" "$here/pkg-node"
echo "== wasm-bindgen --target web"
wasm-bindgen --remove-name-section --remove-producers-section --target web --out-dir "$here/pkg" --out-name openbadges "$wasm"
echo "== wasm-bindgen --target nodejs"
wasm-bindgen --remove-name-section --remove-producers-section --target nodejs --out-dir "$here/pkg-node" --out-name openbadges "$wasm"

# wasm-opt -Oz from npm's binaryen (`npm ci` in bindings/wasm; Debian's binaryen 108 breaks the
# externref table wasm-bindgen sets up): ~8 % smaller. wasm-bindgen gives both targets the same
# module, so it is optimized once. Without the tool the module is used as it is, with a warning.
wasm_opt="$here/node_modules/.bin/wasm-opt"
if [ -x "$wasm_opt" ]; then
  echo "== wasm-opt -Oz ($("$wasm_opt" --version))"
  for out in "$here/pkg" "$here/pkg-node"; do
    if [ "$out" != "$here/pkg" ] && cmp -s "$out/openbadges_bg.wasm" "$wasm.bindgen-web"; then
      cp "$here/pkg/openbadges_bg.wasm" "$out/openbadges_bg.wasm"
      continue
    fi
    cp "$out/openbadges_bg.wasm" "$wasm.bindgen-web"
    "$wasm_opt" -Oz "$out/openbadges_bg.wasm" -o "$out/openbadges_bg.wasm.opt"
    mv "$out/openbadges_bg.wasm.opt" "$out/openbadges_bg.wasm"
  done
  rm -f "$wasm.bindgen-web"
else
  echo "build.sh: WARNING: $wasm_opt not found (npm ci in bindings/wasm): the module is not optimized" >&2
fi

version="$(awk -F'"' '/^version = / { print $2; exit }' "$here/Cargo.toml")"
write_package() { # dir type main
  cat > "$1/package.json" <<EOF
{
  "name": "openbadges-wasm",
  "version": "$version",
  "description": "Open Badges 3.0: verify, import, bake and issue badges in the browser and Node (WebAssembly).",
  "license": "Apache-2.0",
  "type": "$2",
  "main": "openbadges.js",
  "types": "openbadges.d.ts",
  "files": ["openbadges.js", "openbadges.d.ts", "openbadges_bg.wasm", "openbadges_bg.wasm.d.ts"],
  "sideEffects": false
}
EOF
}
write_package "$here/pkg" module
write_package "$here/pkg-node" commonjs

echo "== wallet page -> $target_dir/wallet"
rm -rf "$target_dir/wallet"
mkdir -p "$target_dir/wallet"
cp -R "$here/www/." "$target_dir/wallet/"
cp -R "$here/pkg" "$target_dir/wallet/pkg"

ls -l "$here/pkg/openbadges_bg.wasm"
