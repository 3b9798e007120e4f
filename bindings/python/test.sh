#!/usr/bin/env bash
# Builds the Python wheel with maturin, installs it into a fresh virtual environment and runs the
# pytest suite against the installed wheel (not the source tree).
#
#   bash bindings/python/test.sh [PYTEST ARGS...]
#
# Everything lives under target/python/ (ignored by git): a build venv with maturin (reused when
# already there), the wheel, and a test venv recreated on every run. Needs python3 with venv and
# pip, cargo, and PyPI for maturin and pytest. The tests also use the native CLI (built here) and,
# when tests/interop/node_modules exists, the JavaScript reference stack; ../shared is read when
# present. pytest's "no tests collected" (exit 5) is a failure.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
py="${PYTHON:-python3}"
work="$root/target/python"
mkdir -p "$work"

echo "== python: $("$py" --version)"
if [ ! -x "$work/build-venv/bin/maturin" ]; then
  echo "== python: build venv with maturin"
  rm -rf "$work/build-venv"
  "$py" -m venv "$work/build-venv"
  "$work/build-venv/bin/pip" install --quiet --disable-pip-version-check "maturin>=1.9,<2"
fi
"$work/build-venv/bin/maturin" --version

# OPENBADGES_WHEEL_PROFILE=dev (CI) builds with the dev profile, reusing the dependencies
# `cargo test` already compiled (optimized: profile.dev.package."*" has opt-level 2); the
# default is the release wheel users get.
profile="${OPENBADGES_WHEEL_PROFILE:-release}"
echo "== python: maturin build ($profile)"
rm -rf "$work/wheels"
if [ "$profile" = release ]; then
  "$work/build-venv/bin/maturin" build --release -m bindings/python/Cargo.toml --out "$work/wheels"
else
  "$work/build-venv/bin/maturin" build --profile "$profile" -m bindings/python/Cargo.toml --out "$work/wheels"
fi
wheel="$(ls "$work"/wheels/openbadges-*.whl)"

echo "== python: the native CLI the tests compare with"
cargo build --quiet --all-features --bin openbadges
export OPENBADGES_CLI="$root/target/debug/openbadges"

echo "== python: fresh venv, install $(basename "$wheel")"
rm -rf "$work/test-venv"
"$py" -m venv "$work/test-venv"
"$work/test-venv/bin/pip" install --quiet --disable-pip-version-check "pytest>=7,<10" "$wheel"

echo "== python: pytest"
# From the tests folder so `import openbadges` finds the installed wheel, never a source tree.
set +e
(cd bindings/python/tests && "$work/test-venv/bin/python" -m pytest -p no:cacheprovider "$@")
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "python: pytest collected no tests" >&2
  exit 1
fi
exit "$rc"
