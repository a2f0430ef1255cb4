#!/usr/bin/env bash
# The whole check, as CI runs it (.ci/run): setup, then every suite. A failing
# suite does not stop the others; the script exits non-zero if any failed and
# ends with a line "N passed, M failed".
#
# Suites: fmt, import cycles (scripts/check-cycles.py), clippy (host), clippy (wasm32), host tests (incl. the
# differential tests against Go), wasm tests (headless Chromium), release
# build (trunk), e2e (Playwright + Chromium against dist/).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

bash scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }

export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export GOTRACE_GO="${GOTRACE_GO:-$HOME/.cache/gotrace/go/1.27.3/go/bin/go}"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-60}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

passed=0
failed=0
failures=()
summary=()
run() { # run NAME CMD...
  local name="$1"
  shift
  echo
  echo "=== $name: $*"
  local t0=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    summary+=("ok    $(printf '%4ds' $((SECONDS - t0)))  $name")
  else
    failed=$((failed + 1))
    failures+=("$name")
    summary+=("FAIL  $(printf '%4ds' $((SECONDS - t0)))  $name")
  fi
}

e2e() {
  if [ ! -f dist/index.html ]; then
    echo "dist/ missing (release build failed)"
    return 1
  fi
  local port log pid rc site
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  log="$(mktemp)"
  # Serve a snapshot, so a concurrent `trunk build`/`trunk serve` rewriting dist/ cannot break the run.
  site="$(mktemp -d)"
  cp -r dist/. "$site/"
  python3 -m http.server "$port" --bind 127.0.0.1 --directory "$site" >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 50); do
    if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/')" 2>/dev/null; then break; fi
    sleep 0.1
  done
  node e2e/run.mjs "http://127.0.0.1:$port/"
  rc=$?
  node e2e/analysis.mjs "http://127.0.0.1:$port/" || rc=1
  node e2e/trust.mjs "http://127.0.0.1:$port/" || rc=1
  # Embedding: serves its own two origins (viewer under a sub-path with a strict CSP, a docs site).
  node e2e/embed.mjs "$site" || rc=1
  node e2e/find.mjs "http://127.0.0.1:$port/" || rc=1
  # Streaming, failures mid-way, Cancel: serves its own copies (two with a fault injected).
  node e2e/stream.mjs "$site" || rc=1
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  rm -rf "$log" "$site"
  return $rc
}

T0=$SECONDS
run "fmt" cargo fmt --all --check
run "import cycles" python3 scripts/check-cycles.py src crates/*/src
run "clippy host" cargo clippy --workspace --all-targets -- -D warnings
run "clippy wasm32" cargo clippy --target wasm32-unknown-unknown -p gotrace-viewer --all-targets -- -D warnings
run "host tests" cargo test --workspace
run "wasm tests (headless Chromium)" cargo test --target wasm32-unknown-unknown -p gotrace-viewer --tests
run "release build (trunk)" trunk build --release
run "e2e (Playwright + Chromium)" e2e

echo
echo "=== summary ($((SECONDS - T0))s after setup)"
printf '%s\n' "${summary[@]}"
if [ "$failed" -gt 0 ]; then echo "failed: ${failures[*]}"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
