// Viewer benchmark in headless Chromium (issue 3): time from file drop to
// the first timeline paint, frame times while panning and zooming, and wasm
// memory, on a large trace.
//
//   python3 -m http.server 8124 --bind 127.0.0.1 --directory dist &
//   node bench/viewer-bench.mjs http://127.0.0.1:8124/ bench/out/big.trace
//
// Prints one JSON line. It is a benchmark, not a test: it reports numbers
// (and, if the page could not read the whole trace, what it showed and the
// alert) and exits 0.
//
// Side by side, in the same run, on the same file: native single-thread
// `gotrace stats` (release build, $GOTRACE_BIN or target/release/gotrace),
// its wall time and peak RSS, run right after the browser is done.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { launch } from "../e2e/lib.mjs";

const base = process.argv[2] || "http://127.0.0.1:8124/";
const file = process.argv[3] || "bench/out/big.trace";
const size = fs.statSync(file).size;
// Small files go through a real drop (their bytes through evaluate()).
const buffer = size > 8e6 ? null : fs.readFileSync(file);

const browser = await launch(["--enable-precise-memory-info"]);
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
const errors = [];
page.on("pageerror", (e) => errors.push(String(e)));
// The page logs its own phase timings ("gotrace: read … ms + encode … ms …").
const timings = [];
page.on("console", (m) => { if (m.text().startsWith("gotrace:")) timings.push(m.text()); });
await page.goto(base);
await page.waitForSelector('#app[data-state="empty"]');

// Drop the file for real (DataTransfer on the page) and time, inside the
// page, from the drop event to the first animation frame after the state is
// "ready" with spans drawn.
const handle = !buffer ? null : await page.evaluateHandle(({ bytes, name }) => {
  const dt = new DataTransfer();
  dt.items.add(new File([new Uint8Array(bytes)], name));
  return dt;
}, { bytes: [...buffer], name: path.basename(file) }).catch(() => null);

let firstPaintMs;
let readyMs;
if (handle) {
  firstPaintMs = await page.evaluate(async (dt) => {
    const t0 = performance.now();
    const target = document.querySelector("#app") || document.body;
    target.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
    for (;;) {
      await new Promise((r) => requestAnimationFrame(r));
      const g = window.__gotrace;
      const st = document.querySelector("#app")?.getAttribute("data-state");
      if (st === "error") throw new Error("load failed: " + (g && g.error));
      if (st === "ready" && g && g.drawnSpans > 0) return performance.now() - t0;
      if (performance.now() - t0 > 120000) throw new Error("timeout");
    }
  }, handle);
  readyMs = firstPaintMs;
} else {
  // Very large files do not fit through evaluate(): hand the file to the
  // file input by path (a local browser reads it from disk, as after a
  // real drop) and time inside the page from the input's change event.
  await page.evaluate(() => {
    document.querySelector("#file").addEventListener("change", () => { window.__benchT0 = performance.now(); }, { capture: true });
  });
  await page.setInputFiles("#file", file);
  // First paint: the first frame with spans drawn (a big trace shows a
  // preview of its beginning while the rest is read); ready: the whole trace.
  [firstPaintMs, readyMs] = await page.evaluate(async () => {
    let first;
    for (;;) {
      await new Promise((r) => requestAnimationFrame(r));
      const g = window.__gotrace;
      const st = document.querySelector("#app")?.getAttribute("data-state");
      if (window.__benchT0 === undefined) continue;
      const t = performance.now() - window.__benchT0;
      if (st === "error") return [first, t];
      if (first === undefined && g && g.drawnSpans > 0) first = t;
      if (st === "ready" && g && g.drawnSpans > 0) return [first, t];
    }
  });
}

// Pan and zoom with the keyboard for ~3 s, recording frame intervals.
// (Nothing to pan over if the load failed.)
const failed = (await page.getAttribute("#app", "data-state")) === "error";
const canvas = failed ? null : await page.$("canvas");
if (canvas) await canvas.click({ position: { x: 700, y: 300 } });
const frames = await page.evaluate(async () => {
  const keys = ["w", "w", "d", "d", "a", "s", "w", "d", "a", "a", "s", "s"];
  const deltas = [];
  let last = performance.now();
  const start = last;
  let i = 0;
  while (!document.querySelector('#app[data-state="error"]') && performance.now() - start < 3000) {
    const key = keys[i++ % keys.length];
    const target = document.querySelector("canvas") || document.body;
    target.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
    await new Promise((r) => requestAnimationFrame(r));
    target.dispatchEvent(new KeyboardEvent("keyup", { key, bubbles: true }));
    const now = performance.now();
    deltas.push(now - last);
    last = now;
  }
  return deltas;
});
frames.sort((a, b) => a - b);
const pctOf = (xs, p) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const pct = (p) => pctOf(frames, p);
// The page's own work per frame (layout, scene, canvas calls), as it measures it.
const draws = (await page.evaluate(() => window.__gotrace.drawMs)).slice(-frames.length).sort((a, b) => a - b);
// Of that, building the display list (the rest is canvas calls).
const scenes = (await page.evaluate(() => window.__gotrace.sceneMs || [])).slice(-frames.length).sort((a, b) => a - b);

// A trace shown in parts: the overview of every part (read by a worker of
// its own once the first part is shown), timed from the same start.
const overview = await page.evaluate(async () => {
  for (;;) {
    const o = window.__gotrace && window.__gotrace.overview;
    if (!o) return null;
    if (o.state !== "reading") return { ...o, ms: performance.now() - window.__benchT0 };
    if (performance.now() - window.__benchT0 > 600000) return { state: "timeout" };
    await new Promise((r) => setTimeout(r, 200));
  }
});

const outcome = await page.evaluate(() => ({
  state: document.querySelector("#app")?.getAttribute("data-state"),
  alert: [...document.querySelectorAll("[role=alert], #part")].map((e) => e.textContent.trim()).join(" | "),
  events: window.__gotrace ? window.__gotrace.events : null,
}));
const mem = await page.evaluate(() => ({
  jsHeap: performance.memory ? performance.memory.usedJSHeapSize : null,
  wasmMemory: window.__gotrace ? window.__gotrace.wasmMemory : null,
  workerWasmMemory: window.__gotrace ? window.__gotrace.workerWasmMemory : null,
  modelBytes: window.__gotrace ? window.__gotrace.modelBytes : null,
}));
await browser.close();

// Native, same file, right after.
const bin = process.env.GOTRACE_BIN || "target/release/gotrace";
const run = spawnSync("/usr/bin/time", ["-f", "TIME %e %M", bin, "stats", file], { encoding: "utf8" });
const timed = /TIME ([0-9.]+) ([0-9]+)/.exec(run.stderr || "");
const native = timed
  ? { seconds: +timed[1], peak_rss_bytes: +timed[2] * 1024, events: +(/events:\s+(\d+)/.exec(run.stdout || "")?.[1] ?? 0) }
  : { error: (run.stderr || String(run.error)).split("\n")[0] };

console.log(JSON.stringify({
  file: path.basename(file),
  bytes: size,
  state: outcome.state,
  events: outcome.events,
  alert: outcome.alert || null,
  first_paint_ms: firstPaintMs === undefined ? null : Math.round(firstPaintMs),
  ready_ms: readyMs === undefined ? null : Math.round(readyMs),
  frames: frames.length,
  frame_ms_p50: frames.length ? +pct(50).toFixed(1) : null,
  frame_ms_p95: frames.length ? +pct(95).toFixed(1) : null,
  frame_ms_max: frames.length ? +frames[frames.length - 1].toFixed(1) : null,
  draw_ms_p50: draws.length ? +pctOf(draws, 50).toFixed(2) : null,
  draw_ms_p95: draws.length ? +pctOf(draws, 95).toFixed(2) : null,
  draw_ms_max: draws.length ? +draws[draws.length - 1].toFixed(2) : null,
  scene_ms_p50: scenes.length ? +pctOf(scenes, 50).toFixed(2) : null,
  scene_ms_p95: scenes.length ? +pctOf(scenes, 95).toFixed(2) : null,
  js_heap_bytes: mem.jsHeap,
  page_wasm_memory_bytes: mem.wasmMemory,
  page_wasm_memory_x_file: mem.wasmMemory ? +(mem.wasmMemory / size).toFixed(2) : null,
  worker_wasm_memory_bytes: mem.workerWasmMemory,
  model_bytes: mem.modelBytes,
  native_stats: native,
  ready_x_native: readyMs && native.seconds ? +(readyMs / 1000 / native.seconds).toFixed(2) : null,
  overview: overview && {
    state: overview.state,
    ready_ms: overview.ms === undefined ? null : Math.round(overview.ms),
    parts: overview.parts ? overview.parts.length : null,
    worker_wasm_memory_bytes: overview.workerWasmMemory ?? null,
    error: overview.error ?? overview.damage ?? null,
  },
  page_timings: timings,
  page_errors: errors,
}));
