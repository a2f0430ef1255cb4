#!/usr/bin/env python3
"""Side-by-side benchmark of gotrace and the Go toolchain on one trace.

    python3 scripts/bench.py [TRACE]      (default: bench/out/big.trace)

Runs, each in its own process so peak memory is its own:
  - gotrace's reader (parse + order, best of 3 runs, one core),
  - gotrace's compact model (bytes per event),
  - gotrace's analyses over the model (one fused pass, and each alone),
  - go1.27.3 `go tool trace -pprof=sched` and `-d=footprint` (wall time, peak RSS).
Prints a Markdown table to paste into BENCHMARKS.md.
"""
import json, os, resource, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GO = os.environ.get("GOTRACE_GO", os.path.expanduser("~/.cache/gotrace/go/1.27.3/go/bin/go"))


def run_measured(cmd, env=None):
    """Runs cmd, returns (seconds, peak RSS KiB of that child, stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    secs = time.monotonic() - t
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr.decode()[-500:]}")
    # ru_maxrss of children is the max over all children so far: measure
    # each tool in a fresh wrapper process to get its own peak.
    return secs, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, p.stdout


def isolated(cmd, env=None):
    """Peak RSS of one command, measured in a fresh Python child."""
    code = (
        "import resource,subprocess,sys,time,json;t=time.monotonic();"
        "p=subprocess.run(sys.argv[1:],stdout=subprocess.PIPE,stderr=subprocess.PIPE);"
        "s=time.monotonic()-t;"
        "print(json.dumps({'rc':p.returncode,'s':s,'rss':resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,"
        "'out':p.stdout.decode(errors='replace')[-2000:],'err':p.stderr.decode(errors='replace')[-500:]}))"
    )
    p = subprocess.run([sys.executable, "-c", code] + cmd, stdout=subprocess.PIPE, env=env, check=True)
    r = json.loads(p.stdout)
    if r["rc"] != 0:
        sys.exit(f"{' '.join(cmd)} failed: {r['err']}")
    return r


def main():
    trace = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "bench/out/big.trace")
    if not os.path.exists(trace):
        sys.exit(f"{trace} missing: run scripts/gen-big-trace.sh")
    size = os.path.getsize(trace)
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "gotrace", "--example", "bench"], cwd=ROOT, check=True)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    bench = os.path.join(target, "release/examples/bench")
    env = dict(os.environ, GOTOOLCHAIN="local", TZ="UTC")

    parse = isolated([bench, "parse", trace, "3"])
    pj = json.loads(parse["out"].strip().splitlines()[-1])
    store = isolated([bench, "store", trace])
    sj = json.loads(store["out"].strip().splitlines()[-1])
    ana = isolated([bench, "analyses", trace])
    aj = json.loads(ana["out"].strip().splitlines()[-1])
    go_sched = isolated([GO, "tool", "trace", "-pprof=sched", trace], env)
    go_foot = isolated([GO, "tool", "trace", "-d=footprint", trace], env)

    mb = size / 1e6
    rows = [
        ("gotrace: parse + order (best of 3, 1 core)", pj["seconds"], pj["peak_rss_kib"],
         f"{pj['mb_per_s']:.0f} MB/s, {pj['mevents_per_s']:.1f} M events/s"),
        ("gotrace: parse + compact model", sj["seconds"], sj["peak_rss_kib"],
         f"model {sj['store_bytes']/1e6:.0f} MB = {sj['bytes_per_event']:.1f} B/event; tables {sj['tables_bytes']/1e6:.1f} MB"),
        ("gotrace: all analyses over the model (goroutines, 4 profiles, MMU, tasks), one fused pass", aj["all_analyses_s"], ana["rss"],
         f"each alone: goroutines {aj['goroutines_s']:.3f} s, profiles {aj['pprof4_s']:.3f} s, MMU {aj['mmu_s']:.3f} s, "
         f"tasks {aj['tasks_s']:.3f} s; the walk alone {aj['pass_only_s']:.3f} s; "
         f"from the bytes (read + all analyses, the analysis worker's path) {aj['from_bytes_s']:.2f} s"),
        ("go1.27.3 `go tool trace -pprof=sched`", go_sched["s"], go_sched["rss"], f"{mb/go_sched['s']:.1f} MB/s"),
        ("go1.27.3 `go tool trace -d=footprint`", go_foot["s"], go_foot["rss"], f"{mb/go_foot['s']:.1f} MB/s"),
    ]
    print(f"Trace: `{os.path.relpath(trace, ROOT)}`, {size/1e6:.1f} MB, {pj['events']:,} events; "
          f"machine: {os.cpu_count()} cores; date {time.strftime('%Y-%m-%d')}\n")
    print("| what | wall time | peak RSS | peak RSS / file size | notes |")
    print("|---|---|---|---|---|")
    for name, s, rss_kib, note in rows:
        rss = rss_kib * 1024
        secs = f"{s:.2f}" if s >= 0.1 else f"{s:.3f}"
        print(f"| {name} | {secs} s | {rss/1e6:.0f} MB | {rss/size:.2f}x | {note} |")


if __name__ == "__main__":
    main()
