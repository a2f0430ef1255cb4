// Big traces in the browser: the timeline worker reads the file as a
// stream, slice by slice; a failure mid-way keeps what was read; Cancel
// stops every worker.
//
//   node e2e/stream.mjs SITE_DIR
//
// Serves SITE_DIR (a built dist/) itself, three times over: as built
// (`/ok/`), and with the worker's loader script prefixed by a fault (never
// in the built site): `/ioerr/` makes reading the file fail 64 KiB before
// its end, inside its last generation (`FileReaderSync` throws, as when a
// file is changed or deleted while it is read), `/crash/` makes the worker die (an uncaught exception, as when it
// runs out of memory) once it has posted the preview of a big trace.
// The trace is a recording of testdata/programs/bigtrace
// (scripts/gen-big-trace.sh 60M: 60-80 MB, a few generations of 10-25 MB,
// generated once into bench/out/, not committed). Where its generations and
// parts end is computed here from its batch headers, as the reader frames
// them, so the expectations follow the file.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { assert, hook, root, state, suite, waitState } from "./lib.mjs";

const site = process.argv[2];
if (!site || !fs.existsSync(path.join(site, "index.html"))) {
  console.error("usage: node e2e/stream.mjs SITE_DIR (a built dist/)");
  process.exit(2);
}

// 60 MB: a few seconds of recording, so 2+ generations (Go starts one
// about every second).
const big = path.join(root, "bench", "out", "big-60M.trace");
if (!fs.existsSync(big)) {
  execFileSync("bash", [path.join(root, "scripts", "gen-big-trace.sh"), "60M", big], { stdio: "inherit" });
}

/** Where the generations of new-format trace BUF end (batch headers only). */
function generationEnds(buf) {
  const minor = +/^go 1\.(\d+) trace/.exec(buf.subarray(0, 16).toString("latin1"))[1];
  let p = 16;
  let gen = 0n;
  const ends = [];
  const uvarint = () => {
    let x = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const b = buf[p++];
      x |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return x;
    }
  };
  while (p < buf.length) {
    const start = p;
    const type = buf[p++];
    if (type === 52) {
      ends.push(p); // the end-of-generation marker (version 26+)
      continue;
    }
    if (type === 2) p++; // an experimental batch's id
    const g = uvarint();
    uvarint();
    uvarint();
    const size = Number(uvarint());
    if (minor < 26 && gen !== 0n && g !== gen) ends.push(start);
    gen = g;
    p += size;
  }
  if (minor < 26) ends.push(buf.length);
  return ends;
}

const size = fs.statSync(big).size;
// Parts as the reader cuts them: segments of whole generations of at least
// 4 MiB (gotrace::stream::DEFAULT_TARGET), a part ends at the first segment
// end at least its budget after its start.
const segmentEnds = [];
for (const end of generationEnds(fs.readFileSync(big))) {
  if (end - (segmentEnds.at(-1) ?? 0) >= 4 << 20 || end === size) segmentEnds.push(end);
}
// The read fails in the middle of the biggest segment after the first (the
// last one may be a tiny final generation).
const starts = [0, ...segmentEnds.slice(0, -1)];
const later = segmentEnds.map((end, i) => ({ start: starts[i], end })).slice(1);
const target = later.sort((a, b) => b.end - b.start - (a.end - a.start))[0];
if (!target || target.end - target.start < 2 << 20) {
  console.error(`e2e/stream: ${big} has segments ending at ${segmentEnds}: this suite needs 2+, one after the first of 2+ MiB; regenerate it (scripts/gen-big-trace.sh 60M)`);
  process.exit(1);
}
const failAt = target.start + Math.floor((target.end - target.start) / 2);
const partEnd = (from, budget) => segmentEnds.find((e) => e - from >= budget) ?? size;
// The native CLI (release; built here if missing) is the reference for what
// the overview says of each part.
const cli = process.env.GOTRACE_BIN || path.join(root, "target", "release", "gotrace");
if (!process.env.GOTRACE_BIN) {
  execFileSync("cargo", ["build", "--release", "--quiet", "-p", "gotrace-cli", "--bin", "gotrace"], { cwd: root, stdio: "inherit" });
}
const DURATION_NS = { ns: 1, "µs": 1e3, ms: 1e6, s: 1e9 };
/** The native CLI's output of `gotrace CMD` on the file's header and bytes FROM..END. */
function native(cmd, from, end) {
  const file = fs.readFileSync(big);
  const tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gotrace-part-")), "part.trace");
  fs.writeFileSync(tmp, Buffer.concat([file.subarray(0, 16), file.subarray(Math.max(from, 16), end)]));
  try {
    return execFileSync(cli, [cmd, tmp], { encoding: "utf8", maxBuffer: 64 << 20 });
  } finally {
    fs.rmSync(path.dirname(tmp), { recursive: true, force: true });
  }
}

/** `gotrace stats` on bytes FROM..END: GC cycles and stop-the-world total. */
function nativeGc(from, end) {
  const out = native("stats", from, end);
  const gc = /^GC cycles:\s+(\d+)$/m.exec(out);
  const stw = /^stop-the-world:.*total ([\d.]+) (ns|µs|ms|s)$/m.exec(out);
  assert(gc && stw, `gotrace stats printed no GC or stop-the-world line:\n${out}`);
  // Printed with 3 decimals: equal within the last digit.
  return { gc: +gc[1], stwNs: +stw[1] * DURATION_NS[stw[2]], stwTolerance: DURATION_NS[stw[2]] / 1000 };
}

/** A Go duration ("946.623202ms", "1m2.5s", "0s") in ns. */
function goDuration(text) {
  const unit = { h: 3600e9, m: 60e9, s: 1e9, ms: 1e6, "µs": 1e3, us: 1e3, ns: 1 };
  let ns = 0;
  for (const [, v, u] of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ns += Number(v) * unit[u];
  return Math.round(ns);
}

/** `gotrace timeline` on bytes FROM..END: the fingerprint of the model built natively. */
function nativeDigest(from, end) {
  const out = native("timeline", from, end);
  const m = /^digest:\s+([0-9a-f]{16})$/m.exec(out);
  assert(m, `gotrace timeline printed no digest:\n${out}`);
  return m[1];
}

/** The fingerprint of the model the page holds (`__gotrace.timelineDigest()`). */
const pageDigest = (page) => page.evaluate(() => window.__gotrace.timelineDigest());

/** `gotrace goroutines` on bytes FROM..END: [name, count, execution ns], by name. */
function nativeGroups(from, end) {
  const rows = native("goroutines", from, end).split("\n").slice(1).filter((l) => l.trim());
  return rows
    .map((l) => {
      const m = /^(.*?)\s+(\d+)\s+(\S+)$/.exec(l);
      assert(m, `gotrace goroutines printed an odd line: ${l}`);
      return [m[1], +m[2], goDuration(m[3])];
    })
    .sort((a, b) => a[0].localeCompare(b[0]));
}

const FAULTS = {
  ok: "",
  ioerr: `(() => {
    const read = FileReaderSync.prototype.readAsArrayBuffer;
    let bytes = 0;
    FileReaderSync.prototype.readAsArrayBuffer = function (blob) {
      if (bytes + blob.size > ${failAt}) throw new DOMException("simulated: the file could not be read", "NotReadableError");
      bytes += blob.size;
      return read.call(this, blob);
    };
  })();\n`,
  crash: `(() => {
    const post = self.postMessage.bind(self);
    let previewed = false;
    self.postMessage = (m, t) => {
      if (m && m.msg && m.msg.Preview) previewed = true;
      return t === undefined ? post(m) : post(m, t);
    };
    const now = Date.now;
    Date.now = () => {
      if (previewed) throw new Error("simulated: the worker died");
      return now();
    };
  })();\n`,
};

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css" };
const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://x");
  const [, mode, ...rest] = url.pathname.split("/");
  const file = path.resolve(site, rest.join("/") || "index.html");
  if (!(mode in FAULTS) || !file.startsWith(path.resolve(site)) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    res.writeHead(404);
    return res.end();
  }
  let body = fs.readFileSync(file);
  // Only the timeline worker's loader (the analysis worker has its own).
  if (path.basename(file) === "worker_loader.js") body = Buffer.concat([Buffer.from(FAULTS[mode]), body]);
  res.writeHead(200, { "content-type": TYPES[path.extname(file)] || "application/octet-stream", "cache-control": "no-store" });
  res.end(body);
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const base = (mode) => `http://127.0.0.1:${server.address().port}/${mode}/`;

const { test, finish } = await suite({ prefix: "stream" });

/** Opens the big trace on the site served as MODE (with QUERY) and waits for the timeline. */
async function openBig(page, mode, query = "") {
  await page.goto(base(mode) + query);
  await waitState(page, "empty");
  // By path (a disk-backed File, as a real drop gives; buffers stop at 50 MB).
  await page.setInputFiles("#file", big);
  await waitState(page, "ready", 120000);
  return hook(page);
}

let whole = 0;
await test("a big trace opens whole; the worker reports its wasm memory", async (page) => {
  const h = await openBig(page, "ok");
  whole = h.events;
  assert(whole > 1_000_000, `only ${whole} events`);
  assert(h.workerWasmMemory > 0, `workerWasmMemory ${h.workerWasmMemory}`);
  assert(h.wasmMemory > 0, "wasmMemory missing");
  assert(h.part === null, `a ${size} B trace shown in parts: ${JSON.stringify(h.part)}`);
  assert(!(await page.isVisible("[role=alert]")), "an alert on a good trace");
  // The model the page put together from the chunks the worker sent ahead
  // while reading and the rest it sent at the end is the one built natively.
  const got = await pageDigest(page);
  const want = nativeDigest(0, size);
  assert(got === want, `the page's model has digest ${got}, gotrace timeline's ${want}`);
  console.log(`      ${whole} events; worker wasm ${(h.workerWasmMemory / 1e6).toFixed(0)} MB, page wasm ${(h.wasmMemory / 1e6).toFixed(0)} MB; digest ${got}`);
});

await test("the file fails to read mid-way: what was read is shown, with an alert", async (page) => {
  const h = await openBig(page, "ioerr");
  assert(h.events > 0 && h.events < whole, `events ${h.events} (whole ${whole})`);
  const alert = (await page.textContent("[role=alert]")) ?? "";
  assert(/could not be read to its end/.test(alert) && /simulated/.test(alert), `alert: "${alert}"`);
});

await test("the worker dies after the preview: the preview stays, with an alert", async (page) => {
  const h = await openBig(page, "crash");
  assert(h.events > 0 && h.events < whole, `events ${h.events} (whole ${whole})`);
  const alert = (await page.textContent("[role=alert]")) ?? "";
  assert(/stopped unexpectedly/.test(alert) && /Only the part of the trace read/.test(alert), `alert: "${alert}"`);
  // The uncaught worker error is the point of this test, not a page error.
  page.errors = page.errors.filter((e) => !/simulated: the worker died/.test(e));
});

await test("progress says bytes of total, events and time left; Cancel stops the worker", async (page) => {
  await page.goto(base("ok"));
  await waitState(page, "empty");
  const closed = [];
  page.on("worker", (w) => w.on("close", () => closed.push(w.url())));
  await page.setInputFiles("#file", big);
  await page.waitForSelector('#app[data-state="loading"]');
  // Progress names bytes of the total and the events read, then the time left.
  await page.waitForFunction(
    () => /^Reading… [\d.]+ (B|KiB|MiB) of [\d.]+ MiB · [\d,]+ events · about \d+ s left$/.test(document.querySelector(".progress-text")?.textContent ?? ""),
    null,
    { timeout: 20000 },
  );
  const during = page.workers().length;
  assert(during >= 1, `no worker while loading (${during})`);
  await page.click("#cancel");
  await waitState(page, "empty");
  await page.waitForFunction(() => true);
  for (let i = 0; i < 50 && page.workers().length > 0; i++) await page.waitForTimeout(100);
  assert(page.workers().length === 0, `${page.workers().length} workers still running after Cancel`);
  assert(closed.length >= 1, "no worker closed");
  assert((await state(page)) === "empty", "not back to the empty page");
});

await test("?window=16: a trace bigger than a part is shown a part at a time", async (page) => {
  let h = await openBig(page, "ok", "?window=16");
  assert(h.part && h.part.index === 0 && h.part.from === 0, `part ${JSON.stringify(h.part)}`);
  assert(h.part.size === size && h.part.end === partEnd(0, 16e6), `part ${JSON.stringify(h.part)}, want it to end at ${partEnd(0, 16e6)}`);
  assert(h.events > 0 && h.events < whole, `events ${h.events} (whole ${whole})`);
  const first = h.events;
  const text = await page.textContent("#part-text");
  assert(/^Part 1 of this trace/.test(text), `#part-text "${text}"`);
  assert(await page.isDisabled("#part-prev"), "#part-prev enabled on the first part");
  await page.click("#part-next");
  await waitState(page, "ready", 120000);
  h = await hook(page);
  const end2 = partEnd(partEnd(0, 16e6), 16e6);
  assert(h.part && h.part.index === 1 && h.part.from === partEnd(0, 16e6) && h.part.end === end2, `part ${JSON.stringify(h.part)}, want it to end at ${end2}`);
  assert(h.events > 0 && h.events < whole, `events of part 2: ${h.events}`);
  assert((await page.isDisabled("#part-next")) === (end2 === size), "#part-next enabled on the last part, or disabled before it");
  assert(/^Part 2/.test(await page.textContent("#part-text")), "part 2 not named");
  const digest2 = await pageDigest(page);
  const want2 = nativeDigest(partEnd(0, 16e6), end2);
  assert(digest2 === want2, `part 2's model has digest ${digest2}, gotrace timeline on its bytes ${want2}`);
  await page.click("#part-prev");
  await waitState(page, "ready", 120000);
  h = await hook(page);
  assert(h.part.index === 0 && h.events === first, `back to part 1: ${JSON.stringify(h.part)}, ${h.events} events (was ${first})`);
  // Without ?window the same file is shown whole.
  assert(whole > first, "the whole trace was not bigger than its first part");
});

await test("Save view as trace in part 2: the file's own bytes of the part's generations, cut from a stream", async (page) => {
  await openBig(page, "ok", "?window=16");
  await page.click("#part-next");
  await waitState(page, "ready", 120000);
  const h = await hook(page);
  const from = partEnd(0, 16e6);
  const end = partEnd(from, 16e6);
  assert(h.part && h.part.index === 1 && h.part.from === from, `part ${JSON.stringify(h.part)}`);
  // The whole part in view: the cut is every generation of the part.
  assert(h.visible.t0 <= 0 && h.visible.t1 >= h.duration, `view ${JSON.stringify(h.visible)} of ${h.duration}`);
  const [dl] = await Promise.all([page.waitForEvent("download", { timeout: 120000 }), page.click("#save-view")]);
  const saved = fs.readFileSync(await dl.path());
  const file = fs.readFileSync(big);
  const want = Buffer.concat([file.subarray(0, 16), file.subarray(from, end)]);
  assert(saved.length === want.length, `saved ${saved.length} bytes, want ${want.length} (header + bytes ${from}..${end})`);
  assert(saved.equals(want), "the saved bytes differ from the file's header and part 2");
  assert(!(await page.isVisible("[role=alert]")), "an alert after saving");
});

await test("the overview lists every part of the file (read as a stream by a worker of its own); any part opens from it", async (page) => {
  await openBig(page, "ok", "?window=16");
  const starts = [0];
  for (let end = partEnd(0, 16e6); end < size; end = partEnd(end, 16e6)) starts.push(end);
  let h = await hook(page);
  for (let t0 = Date.now(); h.overview?.state !== "ready" && Date.now() - t0 < 120000; h = await hook(page)) {
    assert(h.overview && h.overview.state !== "failed", `overview ${JSON.stringify(h.overview)}`);
    await page.waitForTimeout(250);
  }
  const o = h.overview;
  assert(o && o.state === "ready" && o.damage === null, `overview ${JSON.stringify(o)}`);
  assert(JSON.stringify(o.parts.map((p) => p.from)) === JSON.stringify(starts), `part starts ${o.parts.map((p) => p.from)} vs ${starts}`);
  assert(o.parts.at(-1).end === size, `the last part ends at ${o.parts.at(-1).end}, the file at ${size}`);
  for (let i = 1; i < o.parts.length; i++) {
    assert(o.parts[i - 1].end === o.parts[i].from, `parts ${i - 1} and ${i} do not tile the file`);
    assert(o.parts[i - 1].stop <= o.parts[i].start, `parts ${i - 1} and ${i} overlap in time`);
  }
  // Each part's GC summary equals the native CLI's on the same bytes (the
  // file's header and the part's generations). A part may have no GC at all
  // (a short final generation), so only the comparison says anything.
  const native = o.parts.map((p) => nativeGc(p.from, p.end));
  const ours = o.parts.map((p) => [p.gcCycles, p.stwNs]);
  for (let i = 0; i < ours.length; i++) {
    const [gc, stw] = ours[i];
    assert(gc === native[i].gc, `part ${i}: ${gc} GC cycles, native gotrace stats ${native[i].gc} (all: ours ${JSON.stringify(ours)}, native ${JSON.stringify(native)})`);
    assert(Math.abs(stw - native[i].stwNs) <= native[i].stwTolerance, `part ${i}: stop-the-world ${stw} ns, native ${native[i].stwNs} ns`);
  }
  assert(native.reduce((a, n) => a + n.gc, 0) > 0, "no GC in the whole recording: the comparison proves nothing");
  const buttons = page.locator("#overview .ov-part");
  assert((await buttons.count()) === starts.length, `${await buttons.count()} part buttons for ${starts.length} parts`);
  assert((await buttons.nth(0).getAttribute("aria-current")) === "true", "the part shown is not marked");
  // Any part opens from the overview (here the last, never read yet).
  const last = starts.length - 1;
  assert(last >= 1, `only ${starts.length} part: the test needs 2+`);
  await buttons.nth(last).click();
  await waitState(page, "ready", 120000);
  h = await hook(page);
  assert(h.part && h.part.index === last && h.part.from === starts[last] && h.part.end === size, `part ${JSON.stringify(h.part)}, want the last from ${starts[last]}`);
  assert((await buttons.nth(last).getAttribute("aria-current")) === "true", "the part opened is not marked");
  const want = o.parts[last].events;
  assert(Math.abs(h.events - want) <= 2, `the last part has ${h.events} events; its generations in the index ${want}`);
  assert(await page.isDisabled("#part-next"), "#part-next enabled on the last part");
  await page.click("#part-prev");
  await waitState(page, "ready", 120000);
  h = await hook(page);
  assert(h.part.index === last - 1 && h.part.from === starts[last - 1], `previous of the last: ${JSON.stringify(h.part)}`);
  assert(h.overview.state === "ready", "the overview was lost when opening a part");
});

await test("the analysis pages of a big trace cover the whole file on request (equal to gotrace on the file); a link to a time in another part opens that part there", async (page) => {
  await openBig(page, "ok", "?window=16");
  let h = await hook(page);
  for (let t0 = Date.now(); h.overview?.state !== "ready" && Date.now() - t0 < 120000; h = await hook(page)) await page.waitForTimeout(250);
  const { parts, origin } = h.overview;
  assert(parts.length >= 2 && typeof origin === "number", `overview ${JSON.stringify(h.overview).slice(0, 300)}`);
  assert(h.part.index === 0, `part ${JSON.stringify(h.part)}`);
  // The goroutine groups, once computed (the busy line gone, rows shown).
  const groups = async () => {
    await page.waitForFunction(() => !document.querySelector(".pages .busy") && document.querySelectorAll("#groups-table tr.group-row").length > 0, null, { timeout: 180000 });
    return (await page.$$eval("#groups-table tr.group-row", (rs) => rs.map((r) => [r.dataset.name, +r.querySelector(".count").textContent, +r.dataset.execNs]))).sort((a, b) => a[0].localeCompare(b[0]));
  };
  await page.click("#menu-goroutines");
  assert(!(await page.isChecked("#analysis-whole")), "the pages start on the whole file; the part shown was expected");
  const ofPart = await groups();
  const nativePart = nativeGroups(parts[0].from, parts[0].end);
  assert(JSON.stringify(ofPart) === JSON.stringify(nativePart), `part 1: page ${JSON.stringify(ofPart)}\nnative ${JSON.stringify(nativePart)}`);
  // Stop while the whole file is read: the worker reading it is stopped,
  // and a new one answers for the part again.
  const closed = [];
  const watch = (w) => w.on("close", () => closed.push(w.url()));
  page.workers().forEach(watch);
  page.on("worker", watch);
  const analysisWorkers = () => page.workers().filter((w) => /worker_analysis/.test(w.url())).length;
  await page.check("#analysis-whole");
  await page.waitForSelector("#analysis-stop", { timeout: 30000 });
  await page.click("#analysis-stop");
  assert(!(await page.isChecked("#analysis-whole")), "Stop left Whole file ticked");
  const stopped = await groups();
  assert(JSON.stringify(stopped) === JSON.stringify(nativePart), `after Stop: page ${JSON.stringify(stopped)}\nnative ${JSON.stringify(nativePart)}`);
  assert(analysisWorkers() === 1, `${analysisWorkers()} analysis workers after Stop`);
  assert(closed.some((u) => /worker_analysis/.test(u)), `the worker reading the whole file was not stopped (closed: ${closed})`);
  await page.check("#analysis-whole");
  await page.waitForSelector(".pages .busy", { timeout: 10000 });
  assert(/whole file/.test(await page.textContent(".pages .busy")), "the busy line does not say the whole file is read");
  // It says how much of the file is read so far.
  await page.waitForFunction(() => /of [\d.]+ (MiB|GiB) read/.test(document.querySelector(".pages .busy")?.textContent || ""), null, { timeout: 30000 })
    .catch(async () => { throw new Error(`no progress in the busy line: "${await page.textContent(".pages .busy").catch(() => "(gone)")}"`); });
  const ofFile = await groups();
  const nativeFile = nativeGroups(0, size);
  assert(JSON.stringify(ofFile) === JSON.stringify(nativeFile), `whole file: page ${JSON.stringify(ofFile)}\nnative ${JSON.stringify(nativeFile)}`);
  assert(JSON.stringify(ofFile) !== JSON.stringify(ofPart), "the whole file's groups equal the first part's: the comparison proves nothing");

  // A region in another part: its link opens that part, at the region.
  await page.click("#tab-tasks");
  await page.waitForSelector("#region-types tbody tr button", { timeout: 180000 });
  const types = await page.locator("#region-types tbody tr button").count();
  let target = null;
  for (let i = 0; i < types && !target; i++) {
    await page.locator("#region-types tbody tr button").nth(i).click();
    await page.waitForSelector(".region-focus", { timeout: 60000 });
    const rows = await page.$$eval(".region-focus", (bs) => bs.map((b) => [+b.dataset.start, +b.dataset.end]));
    for (const [a, b] of rows) {
      const at = a - origin;
      const k = parts.findIndex((p) => p.start <= at && at <= p.stop);
      if (k > 0) {
        target = { a, b, k };
        break;
      }
    }
  }
  assert(target, "no region listed lies in a part after the first");
  await page.click(`.region-focus[data-start="${target.a}"]`);
  await page
    .waitForFunction((k) => window.__gotrace?.part?.index === k && document.querySelector("#app")?.dataset.state === "ready", target.k, { timeout: 120000 })
    .catch(async (e) => {
      const g = await hook(page);
      const notice = await page.textContent("#notice").catch(() => null);
      throw new Error(`part ${target.k + 1} (region at ${target.a}) not shown: ${e.message}; part ${JSON.stringify(g.part)}, state ${g.state}, notice ${notice}, selection ${JSON.stringify(g.selectionRange)}, origin ${g.origin}, duration ${g.duration}, parts ${JSON.stringify(parts.map((p) => [p.start, p.stop]))}, file origin ${origin}`);
    });
  await page.waitForFunction(() => window.__gotrace.hasSelection, null, { timeout: 10000 });
  h = await hook(page);
  const want = [target.a - h.origin, Math.max(target.b - h.origin, target.a - h.origin + 1)];
  const got = [h.selectionRange.t0, h.selectionRange.t1];
  assert(Math.abs(got[0] - want[0]) <= 1 && Math.abs(got[1] - want[1]) <= 1, `selection ${got} in part ${target.k + 1}, want the region's ${want}`);
  assert(h.visible.t0 <= want[0] && h.visible.t1 >= want[1], `view ${JSON.stringify(h.visible)} does not show the region ${want}`);
  assert(!(await page.isVisible("#pages")), "the pages stayed over the timeline");
  // The pages still analyse the whole file, without reading it again.
  await page.click("#menu-goroutines");
  assert(await page.isChecked("#analysis-whole"), "the whole-file choice was lost with the part");
  const t0 = Date.now();
  const again = await groups();
  assert(JSON.stringify(again) === JSON.stringify(nativeFile), "the whole file's groups changed with the part shown");
  assert(Date.now() - t0 < 5000, `the whole file was analysed again (${Date.now() - t0} ms)`);
});

await test("Cancel while the overview is being read stops its worker too", async (page) => {
  let h = await openBig(page, "ok", "?window=16");
  await page.click("#part-next");
  await page.waitForSelector('#app[data-state="loading"]');
  h = await hook(page);
  // (If the overview were done already, this test would prove nothing.)
  assert(h.overview && h.overview.state === "reading", `overview ${JSON.stringify(h.overview)} before Cancel`);
  assert(page.workers().length >= 2, `${page.workers().length} workers: the part's reader and the overview's expected`);
  await page.click("#cancel");
  await waitState(page, "empty");
  for (let i = 0; i < 50 && page.workers().length > 0; i++) await page.waitForTimeout(100);
  assert(page.workers().length === 0, `${page.workers().length} workers still running after Cancel`);
  assert((await hook(page)).overview === null, "the overview outlived its trace");
});

await test("a link to a later part (part= in the hash) opens that part at the link's view; a link to no part opens the first, with a notice", async (page) => {
  const from = partEnd(0, 16e6);
  await page.goto(`${base("ok")}?window=16#part=${from}&t=1000000,5000000`);
  await waitState(page, "empty");
  await page.setInputFiles("#file", big);
  await waitState(page, "ready", 120000);
  let h = await hook(page);
  assert(h.part && h.part.from === from && h.part.end === partEnd(from, 16e6), `part ${JSON.stringify(h.part)}, want the one from ${from}`);
  assert(Math.abs(h.visible.t0 - 1e6) < 2 && Math.abs(h.visible.t1 - 5e6) < 2, `view ${JSON.stringify(h.visible)}`);
  assert((await page.evaluate(() => location.hash)).includes(`part=${from}`), "the hash lost the part");
  assert(/^Part 2/.test(await page.textContent("#part-text")), "not named part 2");
  // Back to the first part: the hash no longer names one.
  await page.click("#part-prev");
  await waitState(page, "ready", 120000);
  h = await hook(page);
  assert(h.part.index === 0 && h.part.from === 0, `previous: ${JSON.stringify(h.part)}`);
  await page.waitForFunction(() => !location.hash.includes("part="), null, { timeout: 5000 });
  // A byte where no part starts.
  await page.goto("about:blank");
  await page.goto(`${base("ok")}?window=16#part=12345`);
  await waitState(page, "empty");
  await page.setInputFiles("#file", big);
  await waitState(page, "ready", 120000);
  h = await hook(page);
  assert(h.part && h.part.from === 0, `part ${JSON.stringify(h.part)}: want the first`);
  const notice = (await page.textContent("#notice-text")) ?? "";
  assert(/byte 12345/.test(notice) && /first part/.test(notice), `notice "${notice}"`);
});

server.close();
await finish();
