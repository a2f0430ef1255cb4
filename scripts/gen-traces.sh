#!/usr/bin/env bash
# Regenerate the real-trace corpus: testdata/traces/go<MAJOR.MINOR>/<program>.trace
#
# For every Go version, build every program in testdata/programs/ with that
# toolchain, run it, check the header the trace was written with, check the
# size budget, and check that the reference toolchain (go1.27.3) parses it:
#     go tool trace -d=parsed FILE > /dev/null
#
# Usage:
#   scripts/gen-traces.sh                 # all versions, all programs
#   scripts/gen-traces.sh 1.25.5 1.27.3   # only these versions
#   PROGRAMS="http cgo" scripts/gen-traces.sh 1.23.9
# Environment:
#   GOTRACE_CACHE  toolchain cache (default $HOME/.cache/gotrace); Go <v> must be at
#                  $GOTRACE_CACHE/go/<v>/go/bin/go
#   PROGRAMS       subset of programs to run (default: all)
#   MAX_BYTES      per-trace size limit (default 300000); an oversized trace is
#                  re-recorded up to ATTEMPTS times, then it is an error
#   ATTEMPTS       default 4
#   VALIDATE=0     skip the go1.27.3 `go tool trace -d=parsed` check
#
# Idempotent: a version's directory is rebuilt from scratch only when all of
# its selected programs succeeded (when PROGRAMS is set, only those files are
# replaced). No network: GOPROXY=off, standard library only.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${GOTRACE_CACHE:-$HOME/.cache/gotrace}
ALL_VERSIONS="1.21.13 1.22.10 1.23.9 1.24.11 1.25.5 1.26.6 1.27.3"
REF_VERSION=1.27.3
MAX_BYTES=${MAX_BYTES:-300000}
ATTEMPTS=${ATTEMPTS:-4}
VALIDATE=${VALIDATE:-1}
ALL_PROGRAMS="http contention gcassist syscalls cgo iterpull annotations cpuprofile gomaxprocs flightrecorder startstop stress critpath hostile"
PROGRAMS=${PROGRAMS:-$ALL_PROGRAMS}
VERSIONS=${*:-$ALL_VERSIONS}

PROGDIR=$ROOT/testdata/programs
OUTROOT=$ROOT/testdata/traces

log() { echo "gen-traces: $*"; }
err() { echo "gen-traces: ERROR: $*" >&2; FAILED=$((FAILED + 1)); FAILURES="$FAILURES
  $*"; }
die() { echo "gen-traces: FATAL: $*" >&2; exit 1; }
FAILED=0
FAILURES=""

gocmd() { # version, args...
    local v=$1; shift
    env GOTOOLCHAIN=local GOPROXY=off GONOSUMDB='*' GOFLAGS= GOWORK=off \
        GOCACHE="$CACHE/gocache-$v" GOPATH="$CACHE/gopath" GOMODCACHE="$CACHE/gopath/pkg/mod" \
        CGO_ENABLED=1 "$CACHE/go/$v/go/bin/go" "$@"
}

# Minor version number ("1.25.5" -> 25).
minor() { echo "$1" | cut -d. -f2; }

# Header version the toolchain writes (see docs: 1.24 writes 23, 1.27 writes 26).
expected_header() {
    case $(minor "$1") in
        21) echo 21 ;; 22) echo 22 ;; 23|24) echo 23 ;; 25) echo 25 ;; 26|27) echo 26 ;;
        *) echo "?" ;;
    esac
}

# Per-program settings.
min_minor() { # oldest Go minor that can run the program
    case $1 in
        iterpull) echo 23 ;;        # iter.Pull
        flightrecorder) echo 25 ;;  # runtime/trace.FlightRecorder
        critpath) echo 27 ;;        # a fixture for the critical-path analysis: newest toolchain only
        *) echo 21 ;;
    esac
}
prog_godebug() {
    case $1 in
        annotations) echo "traceadvanceperiod=150000000" ;;      # 150 ms generations
        flightrecorder) echo "traceadvanceperiod=100000000" ;;   # 100 ms generations
        *) echo "" ;;
    esac
}
prog_env() { # extra environment (besides GODEBUG) for a program under a Go minor
    case $1:$2 in
        # Go 1.21's old-format tracer writes a trace nobody can order when C
        # threads call into Go; record that part separately (REJECT_JOBS).
        cgo:21) echo "GOTRACE_NO_C_THREADS=1" ;;
        *) echo "" ;;
    esac
}
# Traces that go1.27.3 is EXPECTED to reject, kept as negative test data in
# testdata/traces/rejected/go1.<minor>-<name>.trace with the error in .err.
# Entries: <go minor>:<program>:<name>
REJECT_JOBS="21:cgo:cgo-cthreads"
prog_outputs() { # output file names (relative), in argument order
    case $1 in
        startstop) echo "startstop.trace startstop-2.trace" ;;
        flightrecorder) echo "flightrecorder.trace flightrecorder-start.trace" ;;
        *) echo "$1.trace" ;;
    esac
}

header_of() { head -c 16 "$1" | tr -d '\0'; }

[ -f "$PROGDIR/go.mod" ] || die "no $PROGDIR/go.mod"
[ -x "$CACHE/go/$REF_VERSION/go/bin/go" ] || [ "$VALIDATE" = 0 ] || die "reference go$REF_VERSION missing"

WORK=$(mktemp -d /tmp/gen-traces.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

for v in $VERSIONS; do
    gobin=$CACHE/go/$v/go/bin/go
    if [ ! -x "$gobin" ]; then err "go$v not installed at $gobin"; continue; fi
    mm=$(minor "$v")
    dir=go1.$mm
    want=$(expected_header "$v")
    log "=== go$v -> testdata/traces/$dir (expect header 'go 1.$want trace')"

    bindir=$WORK/bin-$v
    mkdir -p "$bindir"
    # One build of the whole module per version (sequential: the machine is small).
    if ! (cd "$PROGDIR" && gocmd "$v" build -trimpath -o "$bindir/" ./...); then
        err "go$v: build failed"
        continue
    fi

    stage=$WORK/traces-$v
    mkdir -p "$stage"
    vfail=0
    for p in $PROGRAMS; do
        if [ "$mm" -lt "$(min_minor "$p")" ]; then
            log "  skip $p (needs go1.$(min_minor "$p"))"
            continue
        fi
        [ -x "$bindir/$p" ] || { err "go$v: no binary for $p"; vfail=1; continue; }
        outs=$(prog_outputs "$p")
        ok=0
        for attempt in $(seq 1 "$ATTEMPTS"); do
            args=()
            for o in $outs; do rm -f "$stage/$o"; args+=("$stage/$o"); done
            t0=$(date +%s%N)
            if ! (cd "$WORK" && env GODEBUG="$(prog_godebug "$p")" $(prog_env "$p" "$mm") timeout 60 "$bindir/$p" "${args[@]}"); then
                echo "gen-traces: WARNING: go$v: $p exited with failure (attempt $attempt/$ATTEMPTS)" >&2
                continue
            fi
            ms=$(( ($(date +%s%N) - t0) / 1000000 ))
            big=""
            for o in $outs; do
                [ -s "$stage/$o" ] || { err "go$v: $p did not write $o"; big=missing; break; }
                sz=$(stat -c %s "$stage/$o")
                [ "$sz" -le "$MAX_BYTES" ] || big="$o=$sz"
            done
            [ "$big" = missing ] && break
            if [ -n "$big" ]; then
                log "  $p: oversized ($big bytes > $MAX_BYTES), attempt $attempt/$ATTEMPTS"
                continue
            fi
            ok=1
            break
        done
        if [ "$ok" != 1 ]; then
            err "go$v: $p: no acceptable trace after $ATTEMPTS attempt(s)"
            vfail=1
            continue
        fi
        for o in $outs; do
            f=$stage/$o
            h=$(header_of "$f")
            if [ "$h" != "go 1.$want trace" ]; then
                err "go$v: $o has header '$h', expected 'go 1.$want trace'"
                vfail=1
            fi
            if [ "$VALIDATE" != 0 ]; then
                if ! gocmd "$REF_VERSION" tool trace -d=parsed "$f" >/dev/null 2>"$WORK/validate.err"; then
                    err "go$v: $o REJECTED by go$REF_VERSION: $(head -c 300 "$WORK/validate.err")"
                    vfail=1
                fi
            fi
            printf 'gen-traces:   %-28s %8d bytes  (%s, %d ms)\n' "$dir/$o" "$(stat -c %s "$f")" "$h" "$ms"
        done
    done

    # Expected rejections (negative test data).
    for job in $REJECT_JOBS; do
        IFS=: read -r jm jp jn <<<"$job"
        [ "$jm" = "$mm" ] || continue
        case " $PROGRAMS " in *" $jp "*) ;; *) continue ;; esac
        f=$stage/rejected-$jn.rtrace
        if ! (cd "$WORK" && env GODEBUG="$(prog_godebug "$jp")" timeout 60 "$bindir/$jp" "$f"); then
            err "go$v: $jp (for rejected/$jn) exited with failure"; vfail=1; continue
        fi
        if gocmd "$REF_VERSION" tool trace -d=parsed "$f" >/dev/null 2>"$WORK/validate.err"; then
            echo "gen-traces: WARNING: go$v: $jn was expected to be rejected by go$REF_VERSION but was accepted; not storing it" >&2
            rm -f "$f"
            continue
        fi
        mkdir -p "$OUTROOT/rejected"
        cp "$WORK/validate.err" "$OUTROOT/rejected/go1.$mm-$jn.err"
        mv -f "$f" "$OUTROOT/rejected/go1.$mm-$jn.trace"
        printf 'gen-traces:   %-28s %8d bytes  (%s; rejected as expected: %s)\n' "rejected/go1.$mm-$jn.trace" \
            "$(stat -c %s "$OUTROOT/rejected/go1.$mm-$jn.trace")" "$(header_of "$OUTROOT/rejected/go1.$mm-$jn.trace")" \
            "$(head -c 200 "$WORK/validate.err" | tr '\n' ' ')"
    done

    if [ "$vfail" != 0 ]; then
        err "go$v: not installing traces for $dir (see errors above)"
        continue
    fi
    mkdir -p "$OUTROOT/$dir"
    if [ "$PROGRAMS" = "$ALL_PROGRAMS" ]; then
        rm -f "$OUTROOT/$dir"/*.trace
    fi
    for f in "$stage"/*.trace; do
        [ -e "$f" ] || continue
        mv -f "$f" "$OUTROOT/$dir/"
    done
done

log "=== corpus"
(cd "$ROOT" && find testdata/traces -name '*.trace' -printf '%s\t%p\n' | sort -k2 | awk -F'\t' '{printf "  %8d  %s\n", $1, $2; t += $1} END {printf "  %8d  total (%d files)\n", t, NR}')
for d in testdata/traces testdata/go testdata; do
    [ -d "$ROOT/$d" ] && printf '  %-16s %s\n' "$d" "$(du -sh "$ROOT/$d" | cut -f1)"
done

if [ "$FAILED" != 0 ]; then
    echo "gen-traces: $FAILED FAILURE(S):$FAILURES" >&2
    exit 1
fi
log "all good"
