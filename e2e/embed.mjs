// End-to-end tests of embedding (README "Embedding"): the viewer served from
// one origin under a sub-path with a strict Content-Security-Policy, a docs
// page on another origin using <go-trace> (embed.js) and the raw postMessage
// protocol, "Save view as trace" read back by Go.
//
//   node e2e/embed.mjs [DIST]        (default dist/; needs GOTRACE_GO and a built CLI for the Go check)
//
// Prints "N passed, M failed" and exits non-zero on any failure.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { assert, frames, hook, openFile, out, root, suite, tracesDir, waitState } from "./lib.mjs";
import { CSP, startSites } from "./sites.mjs";

const dist = path.resolve(process.argv[2] || path.join(root, "dist"));
const HTTP = path.join(tracesDir, "go1.27", "http.trace");
const CRITPATH = path.join(tracesDir, "go1.27", "critpath.trace");
const GO = process.env.GOTRACE_GO || path.join(os.homedir(), ".cache/gotrace/go/1.27.3/go/bin/go");

// A docs-site page for the raw protocol: one viewer iframe and, beside it, a
// frame that is not the viewer's parent (its messages must be ignored).
const RAW_PAGE = (viewerUrl) => `<!doctype html><meta charset="utf-8"><title>raw protocol</title><link rel="icon" href="data:,">
<iframe id="viewer" src="${viewerUrl}?embed" style="width:900px;height:500px;border:0"></iframe>
<iframe id="stranger" srcdoc="<p>not the parent</p>"></iframe>`;
const damaged = Buffer.concat([fs.readFileSync(HTTP).subarray(0, 40), Buffer.from("this is where the trace was damaged")]);

const s = await startSites({
  dist,
  extra: (viewerUrl) => ({ "/raw.html": Buffer.from(RAW_PAGE(viewerUrl)), "/traces/damaged.trace": damaged }),
});
const { viewerUrl, docsUrl } = s;
console.log(`viewer: ${viewerUrl} (CSP)  docs: ${docsUrl}`);

// Collect CSP violations in every frame (and fail on any: the suite also fails on "Refused to …" console errors).
const { test, finish } = await suite({ prefix: "embed-" });
async function watchCsp(page) {
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
}
async function cspViolations(page) {
  const all = [];
  for (const f of page.frames()) all.push(...((await f.evaluate(() => window.__csp || []).catch(() => [])) || []));
  return all;
}

/** The viewer frame inside SELECTOR (a <go-trace> or an iframe) of the docs page. */
async function viewerFrame(page, selector) {
  const el = await page.waitForSelector(selector.startsWith("iframe") ? selector : `${selector} iframe`, { timeout: 20000 });
  return el.contentFrame();
}
const events = (page, id, type) =>
  page.evaluate(({ id, type }) => window.events.filter((e) => e.id === id && e.type === type).map((e) => e.detail), { id, type });
async function waitEvent(page, id, type, pred = () => true, timeout = 30000) {
  const t0 = Date.now();
  for (;;) {
    const got = (await events(page, id, type)).filter(pred);
    if (got.length) return got[got.length - 1];
    if (Date.now() - t0 > timeout) throw new Error(`no gotrace-${type} event from #${id} within ${timeout} ms`);
    await page.waitForTimeout(100);
  }
}

// ---------------------------------------------------------------------------

await test("built site: only relative URLs", async () => {
  const html = fs.readFileSync(path.join(dist, "index.html"), "utf8");
  const absolute = [...html.matchAll(/(?:src|href)="(\/[^"]*)"/g)].map((m) => m[1]);
  assert(absolute.length === 0, `absolute URLs in dist/index.html: ${absolute.join(", ")}`);
  assert(!/<script(?![^>]*\bsrc=)[^>]*>/.test(html), "an inline <script> in dist/index.html (blocked by script-src 'self')");
  assert(!/\sstyle="/.test(html), "an inline style attribute in dist/index.html");
  assert(fs.existsSync(path.join(dist, "embed.js")), "dist/embed.js missing");
});

await test("viewer under a sub-path with a strict CSP: sample, analyses, critical path", async (page) => {
  await watchCsp(page);
  const res = await page.goto(viewerUrl);
  assert(res.headers()["content-security-policy"] === CSP, "the test server did not send the CSP");
  await waitState(page, "empty");
  await page.click("#sample");
  await waitState(page, "ready");
  assert((await hook(page)).drawnSpans > 0, "sample drew nothing");
  // Every analysis page, its tables, flame graphs and plots (style attributes would be blocked).
  await page.click("#menu-goroutines");
  await page.waitForSelector("#groups-table tr.group-row", { timeout: 30000 });
  await page.click("#groups-table tr.group-row button");
  await page.waitForSelector("#group-table tr.goroutine-row", { timeout: 30000 });
  await page.click("#tab-profiles");
  await page.waitForFunction(() => /samples/.test(document.getElementById("profile-summary")?.textContent || ""), null, { timeout: 30000 });
  await page.click("#tab-tasks");
  await page.waitForSelector("#task-types", { timeout: 30000 });
  await page.click("#tab-mmu");
  await page.waitForSelector("#mmu-plot", { timeout: 30000 });
  await page.keyboard.press("Escape");
  await page.fill("#search", "http");
  // The critical-path table used to set a style attribute (blocked by style-src 'self').
  await page.goto("about:blank");
  await page.goto(`${viewerUrl}#g=21`);
  await waitState(page, "empty");
  await openFile(page, CRITPATH);
  await waitState(page, "ready");
  await page.waitForSelector("#details", { timeout: 5000 });
  await page.click("#d-critical");
  await page.waitForSelector("#cp-title", { timeout: 20000 });
  const v = await cspViolations(page);
  assert(v.length === 0, `CSP violations: ${v.join("; ")}`);
});

await test("two <go-trace> elements from another origin: ready, counts, views", async (page) => {
  await watchCsp(page);
  await page.goto(docsUrl);
  const http = await waitEvent(page, "trace-http", "ready");
  const crit = await waitEvent(page, "trace-critpath", "ready");
  // Each reports what its own viewer shows.
  const fh = await viewerFrame(page, "#trace-http");
  const hh = await hook(fh);
  assert(hh.state === "ready", `http viewer state ${hh.state}`);
  assert(http.events === hh.events && http.goroutines === hh.goroutines && http.duration === hh.duration, `ready ${JSON.stringify(http)} vs viewer ${JSON.stringify({ e: hh.events, g: hh.goroutines, d: hh.duration })}`);
  assert(http.title === "HTTP server", `title ${http.title}`);
  assert(http.view.start === 0 && http.view.end === 50000000, `http view ${JSON.stringify(http.view)} (want 0–50 ms from view="t=0,50000000")`);
  assert(Math.abs(hh.visible.t0 - 0) < 1 && Math.abs(hh.visible.t1 - 50000000) < 1, `http viewer range ${JSON.stringify(hh.visible)}`);
  const fc = await viewerFrame(page, "#trace-critpath");
  const hc = await hook(fc);
  assert(crit.events === hc.events && crit.events !== http.events, `critpath counts ${crit.events} vs ${hc.events}`);
  assert(hc.selected && hc.selected.goroutine === 21, `view="g=21" did not select G21: ${JSON.stringify(hc.selected)}`);
  const sel = await waitEvent(page, "trace-critpath", "select", (d) => d.goroutine === 21);
  assert(Number.isFinite(sel.start) && sel.end > sel.start, `select event ${JSON.stringify(sel)}`);
  // The far element has not loaded anything yet.
  assert(!(await page.$("#trace-far iframe")), "the element far below the fold loaded before it was near");
  assert((await events(page, "trace-far", "ready")).length === 0, "far element ready before scrolling");
  await page.screenshot({ path: path.join(out, "embed-docs-page.png") });
  await page.locator("#trace-far").scrollIntoViewIfNeeded();
  await waitEvent(page, "trace-far", "ready");
  const v = await cspViolations(page);
  assert(v.length === 0, `CSP violations: ${v.join("; ")}`);
});

await test("the user's selection and view reach the host page", async (page) => {
  await page.goto(docsUrl);
  await waitEvent(page, "trace-http", "ready");
  const f = await viewerFrame(page, "#trace-http");
  await waitState(f, "ready");
  // Scroll the embedded timeline (mouse wheel over the frame) to a goroutine lane.
  const box = await f.locator("#timeline").boundingBox();
  let g = null;
  for (let i = 0; i < 40 && !g; i++) {
    const h = await hook(f);
    g = h.lanes.find((l) => l.kind === "goroutine" && l.runs > 0 && l.x !== null && l.y > 30 && l.y + l.h < box.height - 4);
    if (!g) {
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.wheel(0, 120);
      await frames(f);
    }
  }
  assert(g, `no goroutine lane reachable in the embedded viewer`);
  await page.mouse.click(box.x + g.x, box.y + g.y + g.h / 2);
  await frames(f);
  const sel = (await hook(f)).selected;
  assert(sel, "the click selected nothing");
  const ev = await waitEvent(page, "trace-http", "select", (d) => d.goroutine === sel.goroutine);
  assert(ev.start >= 0 && ev.end > ev.start, `select event ${JSON.stringify(ev)}`);
  assert((await page.textContent("#picked-http")).includes(`goroutine ${sel.goroutine}`), "the docs page's script did not react");
  // Zoom with the keyboard: a view event with the viewer's new range.
  await f.focus("#timeline");
  await f.press("#timeline", "w");
  await f.press("#timeline", "w");
  await frames(f);
  const vis = (await hook(f)).visible;
  const view = await waitEvent(page, "trace-http", "view", (d) => Math.abs(d.start - vis.t0) < 2 && Math.abs(d.end - vis.t1) < 2);
  assert(view.end - view.start < 50000000, `view after zooming in: ${JSON.stringify(view)}`);
  // Host -> element API.
  await page.evaluate(() => document.getElementById("trace-http").setView(1000000, 2000000));
  await waitEvent(page, "trace-http", "view", (d) => d.start === 1000000 && d.end === 2000000);
});

await test("GoTrace.embed: a page that builds the trace itself hands over the bytes, or a Blob", async (page) => {
  await page.goto(docsUrl);
  const bytes = [...fs.readFileSync(CRITPATH)];
  const ready = await page.evaluate(
    (bytes) =>
      new Promise((resolve, reject) => {
        const box = document.createElement("div");
        box.id = "built";
        box.style.height = "300px";
        document.querySelector("main").prepend(box);
        box.addEventListener("gotrace-ready", (e) => resolve(e.detail));
        box.addEventListener("gotrace-error", (e) => reject(new Error(e.detail.message)));
        window.GoTrace.embed(box, { buffer: new Uint8Array(bytes).buffer, title: "built here", view: { start: 0, end: 1000000 }, goroutine: 22 });
        setTimeout(() => reject(new Error("no gotrace-ready within 30 s")), 30000);
      }),
    bytes,
  );
  assert(ready.title === "built here" && ready.view.start === 0 && ready.view.end === 1000000, `ready ${JSON.stringify(ready)}`);
  const f = await viewerFrame(page, "#built");
  const h = await hook(f);
  assert(h.events === ready.events, `counts ${h.events} vs ${ready.events}`);
  await f.waitForFunction(() => window.__gotrace?.selected?.goroutine === 22, null, { timeout: 10000 });
  // A Blob (a File from an <input type=file>, say) is handed over as it is.
  const fromBlob = await page.evaluate(
    (bytes) =>
      new Promise((resolve, reject) => {
        const box = document.createElement("div");
        box.style.height = "300px";
        document.querySelector("main").prepend(box);
        box.addEventListener("gotrace-ready", (e) => resolve(e.detail));
        box.addEventListener("gotrace-error", (e) => reject(new Error(e.detail.message)));
        window.GoTrace.embed(box, { blob: new Blob([new Uint8Array(bytes)]), title: "a blob" });
        setTimeout(() => reject(new Error("no gotrace-ready within 30 s")), 30000);
      }),
    bytes,
  );
  assert(fromBlob.title === "a blob" && fromBlob.events === ready.events, `ready from a blob ${JSON.stringify(fromBlob)}`);
});

await test("damaged or missing traces: gotrace-error", async (page) => {
  await page.goto(docsUrl);
  await page.evaluate(() => {
    for (const [id, src] of [["trace-bad", "traces/damaged.trace"], ["trace-missing", "traces/no-such.trace"]]) {
      const el = document.createElement("go-trace");
      el.id = id;
      el.setAttribute("src", src);
      el.addEventListener("gotrace-error", (e) => window.events.push({ id, type: "error", detail: e.detail }));
      el.addEventListener("gotrace-ready", (e) => window.events.push({ id, type: "ready", detail: e.detail }));
      document.querySelector("main").prepend(el);
    }
  });
  const bad = await waitEvent(page, "trace-bad", "error");
  assert(/trace|generation|offset/i.test(bad.message), `damaged: ${bad.message}`);
  const missing = await waitEvent(page, "trace-missing", "error");
  assert(/404/.test(missing.message), `missing: ${missing.message}`);
  assert((await events(page, "trace-bad", "ready")).length === 0, "a damaged trace reported ready");
  // The docs page's own 404 for the missing trace is expected.
  page.errors = page.errors.filter((e) => !/no-such\.trace|404/.test(e));
});

await test("raw iframe protocol: PING/PONG, buffer, blob, view, goroutine, Perfetto message, strangers ignored", async (page) => {
  await watchCsp(page);
  await page.goto(`${docsUrl}raw.html`);
  const f = await viewerFrame(page, "iframe#viewer");
  const bytes = [...fs.readFileSync(CRITPATH)];
  const got = await page.evaluate(
    async ({ bytes, origin }) => {
      const viewer = document.getElementById("viewer").contentWindow;
      const inbox = (window.__inbox = []);
      window.addEventListener("message", (e) => {
        if (e.source === viewer) inbox.push({ origin: e.origin, data: e.data });
      });
      const waitFor = async (pred, ms = 30000) => {
        const t0 = performance.now();
        for (;;) {
          const m = inbox.find((m) => pred(m.data));
          if (m) return m;
          if (performance.now() - t0 > ms) throw new Error(`timeout; inbox: ${JSON.stringify(inbox.map((m) => m.data))}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      const t = (type, f = () => true) => (d) => d && d.gotrace && d.gotrace.type === type && f(d.gotrace);
      // Perfetto's handshake: PING until PONG.
      let pong = null;
      for (let i = 0; i < 300 && !pong; i++) {
        viewer.postMessage("PING", origin);
        await new Promise((r) => setTimeout(r, 100));
        pong = inbox.find((m) => m.data === "PONG");
      }
      if (!pong) throw new Error("no PONG");
      const buffer = new Uint8Array(bytes).buffer;
      viewer.postMessage({ gotrace: { buffer, title: "raw one", view: { start: 1000, end: 3000000 } } }, origin, [buffer]);
      const ready = (await waitFor(t("ready", (m) => m.title === "raw one"))).data.gotrace;
      viewer.postMessage({ gotrace: { view: { start: 2000000, end: 4000000 } } }, origin);
      const view = (await waitFor(t("view", (m) => m.start === 2000000 && m.end === 4000000))).data.gotrace;
      viewer.postMessage({ gotrace: { goroutine: 22 } }, origin);
      const select = (await waitFor(t("select", (m) => m.goroutine === 22))).data.gotrace;
      // Hostile messages: ignored without breaking the viewer.
      for (const m of [null, 42, "PONG", { gotrace: null }, { gotrace: { view: { start: "x" } } }, { gotrace: { goroutine: -1 } }, { gotrace: { buffer: "not a buffer" } }, { gotrace: { blob: "not a blob" } }, { perfetto: 7 }])
        viewer.postMessage(m, origin);
      await new Promise((r) => setTimeout(r, 300));
      // Perfetto's shape opens a trace too.
      const buf2 = new Uint8Array(bytes).buffer;
      viewer.postMessage({ perfetto: { buffer: buf2, title: "from perfetto" } }, origin);
      const ready2 = (await waitFor(t("ready", (m) => m.title === "from perfetto"))).data.gotrace;
      // A Blob (or File) is read like a dropped file, not copied whole.
      viewer.postMessage({ gotrace: { blob: new Blob([new Uint8Array(bytes)]), title: "as a blob" } }, origin);
      const ready3 = (await waitFor(t("ready", (m) => m.title === "as a blob"))).data.gotrace;
      return { pongOrigin: pong.origin, ready, view, select, ready2, ready3, origins: [...new Set(inbox.map((m) => m.origin))] };
    },
    { bytes, origin: new URL(viewerUrl).origin },
  );
  assert(got.pongOrigin === new URL(viewerUrl).origin, `PONG from ${got.pongOrigin}`);
  assert(got.ready.view.start === 1000 && got.ready.view.end === 3000000, `ready view ${JSON.stringify(got.ready.view)}`);
  assert(got.ready.goroutines > 3 && got.ready.events > 0 && got.ready.duration > 0, `ready ${JSON.stringify(got.ready)}`);
  assert(got.select.end > got.select.start, `select ${JSON.stringify(got.select)}`);
  // A frame that is not the viewer's parent (a sibling, same origin as the parent): ignored.
  const visBefore = (await hook(f)).visible;
  const stranger = await (await page.$("iframe#stranger")).contentFrame();
  await stranger.evaluate(() => parent.frames[0].postMessage({ gotrace: { view: { start: 5, end: 10 } } }, "*"));
  await page.waitForTimeout(800);
  const visAfter = (await hook(f)).visible;
  assert(visAfter.t0 === visBefore.t0 && visAfter.t1 === visBefore.t1, `a sibling frame's message moved the view: ${JSON.stringify(visAfter)}`);
  const strangerEvents = await page.evaluate(() => window.__inbox.filter((m) => m.data?.gotrace?.type === "view" && m.data.gotrace.start === 5).length);
  assert(strangerEvents === 0, "a sibling frame's message was acted on");
  assert(got.ready2.events === got.ready.events, "Perfetto-shaped message opened something else");
  assert(got.ready3.events === got.ready.events, `the blob opened something else: ${JSON.stringify(got.ready3)}`);
  const h = await hook(f);
  assert(h.state === "ready", `viewer state after hostile messages: ${h.state}`);
  assert(h.events === got.ready.events && h.goroutines === got.ready.goroutines, `ready counts ${JSON.stringify(got.ready)} vs viewer ${h.events}/${h.goroutines}`);
  assert(h.selected === null, `the blob message opened a new trace: no selection carries over (${JSON.stringify(h.selected)})`);
  const v = await cspViolations(page);
  assert(v.length === 0, `CSP violations: ${v.join("; ")}`);
});

await test("embedded mode in a 320×240 frame: timeline first, small toolbar", async (page) => {
  await page.setViewportSize({ width: 320, height: 240 });
  await page.goto(`${viewerUrl}?embed&trace=./http.trace`);
  await waitState(page, "ready");
  assert(await page.isVisible("#embed-bar"), "no embedded toolbar");
  for (const id of ["#embed-fit", "#embed-help", "#open-full"]) assert(await page.isVisible(id), `${id} not visible`);
  const h = await hook(page);
  const box = await page.locator("#timeline").boundingBox();
  assert(box.width >= 300 && box.height >= 120, `timeline ${box.width}×${box.height}`);
  const shown = h.lanes.filter((l) => ["proc", "goroutine", "thread"].includes(l.kind) && l.y + l.h > 0 && l.y < box.height);
  assert(shown.length > 0, `no P/goroutine lane visible in 320×240: ${h.lanes.filter((l) => l.y < box.height).map((l) => l.kind).join(",")}`);
  await page.screenshot({ path: path.join(out, "embed-320x240.png") });
  // "Open in full viewer": same trace, same view, in a new tab.
  const vis = h.visible;
  const [full] = await Promise.all([page.context().waitForEvent("page"), page.click("#open-full")]);
  await full.waitForSelector('#app[data-state="ready"]', { timeout: 30000 });
  const fh = await hook(full);
  assert(fh.events === h.events, `full viewer opened another trace: ${fh.events} vs ${h.events}`);
  assert(Math.abs(fh.visible.t0 - vis.t0) < 2 && Math.abs(fh.visible.t1 - vis.t1) < 2, `full viewer view ${JSON.stringify(fh.visible)} vs ${JSON.stringify(vis)}`);
  assert(!(await full.$("#embed-bar")), "the full viewer is in embedded mode");
});

await test("Save view as trace: Go reads the slice, and our dump of it equals Go's", async (page) => {
  assert(fs.existsSync(GO), `Go toolchain not found at ${GO} (set GOTRACE_GO): this check needs Go`);
  const file = path.join(tracesDir, "go1.27", "annotations.trace");
  await page.goto(viewerUrl);
  await waitState(page, "empty");
  await openFile(page, file);
  await waitState(page, "ready");
  const d = (await hook(page)).duration;
  await page.goto("about:blank"); // a new document: the hash below applies to the next file
  await page.goto(`${viewerUrl}#t=${Math.floor(d * 0.45)},${Math.floor(d * 0.55)}`);
  await waitState(page, "empty");
  await openFile(page, file);
  await waitState(page, "ready");
  const [dl] = await Promise.all([page.waitForEvent("download"), page.click("#save-view")]);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gotrace-save-"));
  const saved = path.join(tmp, dl.suggestedFilename());
  await dl.saveAs(saved);
  assert(/\.trace$/.test(saved), `file name ${dl.suggestedFilename()}`);
  const size = fs.statSync(saved).size;
  const whole = fs.statSync(file).size;
  assert(size > 16 && size < whole, `saved ${size} bytes of ${whole}: not a slice`);
  const go = spawnSync(GO, ["tool", "trace", "-d=parsed", saved], { encoding: "utf8", maxBuffer: 1 << 30 });
  assert(go.status === 0, `go tool trace -d=parsed exited ${go.status}: ${go.stderr.slice(0, 500)}`);
  const ours = execFileSync("cargo", ["run", "-q", "-p", "gotrace-cli", "--", "dump", saved], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 1 << 30,
  });
  assert(ours === go.stdout, "gotrace dump of the saved slice differs from Go's");
  fs.rmSync(tmp, { recursive: true, force: true });
});

await s.close();
await finish();
