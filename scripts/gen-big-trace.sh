#!/usr/bin/env bash
# Build a large (>= 40 MB, ~7 million events) trace for benchmarks with the
# reference toolchain (go1.27.3) into bench/out/big.trace (git-ignored, NOT
# committed). The program is testdata/programs/bigtrace: channel ping-pong,
# mutex contention, allocation/GC, file and pipe syscalls, tasks/regions/logs;
# it stops once TARGET_BYTES have been written (or after MAX_SECONDS).
#
# Usage: scripts/gen-big-trace.sh [SIZE] [OUT]
#   SIZE: 40M (the default), 250M, 1200M, or a byte count; the trace is at
#         least 95 % of it. OUT defaults to bench/out/big.trace for 40M and
#         bench/out/big-SIZE.trace otherwise.
# Environment: GO_VERSION (1.27.3), MAX_SECONDS (30 per 40 MB),
#              VALIDATE=1 to also run `go tool trace -d=parsed` on the
#              result (slow; do not on the big ones: Go holds every event).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${GOTRACE_CACHE:-$HOME/.cache/gotrace} # where scripts/setup.sh puts the Go toolchains
V=${GO_VERSION:-1.27.3}
SIZE=40M
case "${1:-}" in
    [0-9]*) SIZE=$1; shift ;;
esac
case "$SIZE" in
    *M) bytes=$(( ${SIZE%M} * 1000000 )) ;;
    *G) bytes=$(( ${SIZE%G} * 1000000000 )) ;;
    *) bytes=$SIZE ;;
esac
if [ "$SIZE" = 40M ]; then
    # The historical benchmark file: 42 MB.
    bytes=42000000
    DEFAULT_OUT=$ROOT/bench/out/big.trace
else
    DEFAULT_OUT=$ROOT/bench/out/big-$SIZE.trace
fi
OUT=${1:-$DEFAULT_OUT}
TARGET_BYTES=${TARGET_BYTES:-$bytes}
MIN_BYTES=${MIN_BYTES:-$(( TARGET_BYTES / 100 * 95 ))}
MAX_SECONDS=${MAX_SECONDS:-$(( 30 * (TARGET_BYTES / 40000000 + 1) ))}

gocmd() {
    env GOTOOLCHAIN=local GOPROXY=off GONOSUMDB='*' GOFLAGS= GOWORK=off \
        GOCACHE="$CACHE/gocache-$V" GOPATH="$CACHE/gopath" GOMODCACHE="$CACHE/gopath/pkg/mod" \
        CGO_ENABLED=1 "$CACHE/go/$V/go/bin/go" "$@"
}

mkdir -p "$(dirname "$OUT")"
BIN=$(mktemp -d /tmp/gen-big-trace.XXXXXX)
trap 'rm -rf "$BIN"' EXIT
(cd "$ROOT/testdata/programs" && gocmd build -trimpath -o "$BIN/bigtrace" ./bigtrace)

t0=$(date +%s%N)
"$BIN/bigtrace" "$OUT.tmp" "$TARGET_BYTES" "$MAX_SECONDS"
t1=$(date +%s%N)
mv -f "$OUT.tmp" "$OUT"
size=$(stat -c %s "$OUT")
echo "gen-big-trace: $OUT: $size bytes ($(du -h "$OUT" | cut -f1)), header '$(head -c 16 "$OUT" | tr -d '\0')', recorded in $(( (t1 - t0) / 1000000 )) ms"
if [ "$size" -lt "$MIN_BYTES" ]; then
    echo "gen-big-trace: ERROR: trace smaller than $MIN_BYTES bytes" >&2
    exit 1
fi
if [ "${VALIDATE:-0}" != 0 ]; then
    t0=$(date +%s%N)
    n=$(gocmd tool trace -d=parsed "$OUT" | grep -c '^M=')
    echo "gen-big-trace: go$V parses it: $n events, $(( ($(date +%s%N) - t0) / 1000000 )) ms"
fi
