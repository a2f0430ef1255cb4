#!/usr/bin/env bash
# Copy Go's own execution-trace test data into testdata/go/.
#
#   testdata/go/tests/               src/internal/trace/testdata/tests/*.test        (go1.27.3; txtar golden tests)
#   testdata/go/tracev1/             src/internal/trace/internal/tracev1/testdata/*  (go1.27.3; binary v1 traces)
#   testdata/go/fuzz/                src/internal/trace/testdata/fuzz/FuzzReader/*   (go1.27.3; fuzz corpus)
#   testdata/go/cmd-trace-go122.test src/cmd/trace/testdata/go122.test               (go1.27.3; raw text trace)
#   testdata/go/legacy/              src/internal/trace/testdata/*  from go1.21.13 and go1.22.10 whose
#                                    header is older than "go 1.11" (pre-1.11 traces: must be rejected)
#   testdata/go/v1-extra/            v1 traces (header >= go 1.11) from those old trees that go1.27.3 no
#                                    longer ships in tracev1/ (currently just http_1_11_good; accepted)
#
# Idempotent: the destination directories are recreated from scratch.
# Usage: scripts/import-go-testdata.sh [GO_ROOT_CACHE]   (default $HOME/.cache/gotrace/go)
set -euo pipefail

CACHE=${1:-$HOME/.cache/gotrace/go}
REF=1.27.3
OLD_VERSIONS="1.21.13 1.22.10"
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DST=$ROOT/testdata/go
SRC=$CACHE/$REF/go/src

die() { echo "import-go-testdata: ERROR: $*" >&2; exit 1; }
[ -d "$SRC/internal/trace" ] || die "no Go $REF source tree at $SRC"

rm -rf "$DST/tests" "$DST/tracev1" "$DST/fuzz" "$DST/legacy" "$DST/v1-extra" "$DST/cmd-trace-go122.test"
mkdir -p "$DST/tests" "$DST/tracev1" "$DST/fuzz" "$DST/legacy" "$DST/v1-extra"

copy_all() { # src-dir pattern dst-dir
    local n=0 f
    for f in "$1"/$2; do
        [ -f "$f" ] || continue
        cp "$f" "$3/"
        n=$((n + 1))
    done
    [ "$n" -gt 0 ] || die "nothing matched $1/$2"
    echo "  $n file(s) from $1 -> ${3#$ROOT/}"
}

echo "importing from go$REF:"
copy_all "$SRC/internal/trace/testdata/tests" '*.test' "$DST/tests"
copy_all "$SRC/internal/trace/internal/tracev1/testdata" '*' "$DST/tracev1"
copy_all "$SRC/internal/trace/testdata/fuzz/FuzzReader" '*' "$DST/fuzz"
[ -f "$SRC/cmd/trace/testdata/go122.test" ] || die "missing cmd/trace/testdata/go122.test"
cp "$SRC/cmd/trace/testdata/go122.test" "$DST/cmd-trace-go122.test"
echo "  cmd/trace/testdata/go122.test -> testdata/go/cmd-trace-go122.test"

# Legacy (pre-1.11) binary traces: select by the header actually in the file,
# not by the file name. Header: "go 1.<N> trace" NUL-padded to 16 bytes.
echo "importing legacy (< go 1.11 header) and extra v1 traces from older trees:"
for v in $OLD_VERSIONS; do
    d=$CACHE/$v/go/src/internal/trace/testdata
    [ -d "$d" ] || die "no $d"
    for f in "$d"/*; do
        [ -f "$f" ] || continue
        hdr=$(head -c 16 "$f" | tr -d '\0')
        minor=$(printf '%s' "$hdr" | sed -n 's/^go 1\.\([0-9][0-9]*\) trace$/\1/p')
        [ -n "$minor" ] || continue              # not a binary trace
        b=$(basename "$f")
        if [ "$minor" -ge 11 ]; then
            # v1 trace: normally the same file is in tracev1/ already.
            if [ -f "$DST/tracev1/$b" ]; then
                cmp -s "$f" "$DST/tracev1/$b" || echo "  NOTE: go$v $b differs from the go$REF copy (keeping go$REF's)"
            elif [ -f "$DST/v1-extra/$b" ]; then
                cmp -s "$f" "$DST/v1-extra/$b" || die "$b differs between Go source trees"
            else
                cp "$f" "$DST/v1-extra/$b"
                echo "  go$v: $b ($hdr) -> v1-extra/ (not in go$REF tracev1/)"
            fi
            continue
        fi
        if [ -f "$DST/legacy/$b" ]; then
            cmp -s "$f" "$DST/legacy/$b" || die "$b differs between Go source trees"
            continue
        fi
        cp "$f" "$DST/legacy/$b"
        echo "  go$v: $b ($hdr)"
    done
done
[ -n "$(ls "$DST/legacy")" ] || die "no legacy traces found"

echo "sizes:"
du -sh "$DST"/* | sed 's/^/  /'
du -sh "$DST"
