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
// The trace is a 12 MB recording of testdata/programs/bigtrace made with
// scripts/gen-big-trace.sh (generated once into bench/out/, not committed).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { assert, hook, openFile, root, state, suite, waitState } from "./lib.mjs";

const site = process.argv[2];
if (!site || !fs.existsSync(path.join(site, "index.html"))) {
  console.error("usage: node e2e/stream.mjs SITE_DIR (a built dist/)");
  process.exit(2);
}

const big = path.join(root, "bench", "out", "big-12M.trace");
if (!fs.existsSync(big)) {
  execFileSync("bash", [path.join(root, "scripts", "gen-big-trace.sh"), "12M", big], { stdio: "inherit" });
}

const failAt = fs.statSync(big).size - 65536;
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
  await openFile(page, big);
  await waitState(page, "ready", 120000);
  return hook(page);
}

let whole = 0;
await test("a 12 MB trace opens; the worker reports its wasm memory", async (page) => {
  const h = await openBig(page, "ok");
  whole = h.events;
  assert(whole > 1_000_000, `only ${whole} events`);
  assert(h.workerWasmMemory > 0, `workerWasmMemory ${h.workerWasmMemory}`);
  assert(h.wasmMemory > 0, "wasmMemory missing");
  assert(h.part === null, `a 19 MB trace shown in parts: ${JSON.stringify(h.part)}`);
  assert(!(await page.isVisible("[role=alert]")), "an alert on a good trace");
  console.log(`      ${whole} events; worker wasm ${(h.workerWasmMemory / 1e6).toFixed(0)} MB, page wasm ${(h.wasmMemory / 1e6).toFixed(0)} MB`);
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
  await openFile(page, big);
  await page.waitForSelector('#app[data-state="loading"]');
  // Progress names bytes of the total and the events read, then the time left.
  await page.waitForFunction(
    () => /^Reading… [\d.]+ (B|KiB|MiB) of 18\.\d MiB · [\d,]+ events · about \d+ s left$/.test(document.querySelector(".progress-text")?.textContent ?? ""),
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
  assert(h.part.end < h.part.size && h.part.end >= 16e6, `part ${JSON.stringify(h.part)}`);
  assert(h.events > 0 && h.events < whole, `events ${h.events} (whole ${whole})`);
  const first = h.events;
  const text = await page.textContent("#part-text");
  assert(/^Part 1 of this trace/.test(text), `#part-text "${text}"`);
  assert(await page.isDisabled("#part-prev"), "#part-prev enabled on the first part");
  await page.click("#part-next");
  await waitState(page, "ready", 120000);
  h = await hook(page);
  assert(h.part && h.part.index === 1 && h.part.from > 0 && h.part.end === h.part.size, `part ${JSON.stringify(h.part)}`);
  assert(h.events > 0 && h.events < whole, `events of part 2: ${h.events}`);
  assert(await page.isDisabled("#part-next"), "#part-next enabled on the last part");
  assert(/^Part 2/.test(await page.textContent("#part-text")), "part 2 not named");
  await page.click("#part-prev");
  await waitState(page, "ready", 120000);
  h = await hook(page);
  assert(h.part.index === 0 && h.events === first, `back to part 1: ${JSON.stringify(h.part)}, ${h.events} events (was ${first})`);
  // Without ?window the same file is shown whole.
  assert(whole > first, "the whole trace was not bigger than its first part");
});

server.close();
await finish();
