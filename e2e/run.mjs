// End-to-end tests of the built viewer (dist/) in headless Chromium, driven by
// playwright-core (no downloaded browsers: /usr/bin/chromium).
//
//   node e2e/run.mjs http://127.0.0.1:PORT/
//
// Screenshots go to e2e/out/ (git-ignored). Prints "N passed, M failed" and
// exits non-zero on any failure.
import fs from "node:fs";
import path from "node:path";
import { assert, dropFile, hook, inkAlong, openFile, out, state, suite, tracesDir, waitState } from "./lib.mjs";

const base = process.argv[2] || "http://127.0.0.1:8123/";

// testdata/traces/go1.N/ hold good traces; testdata/traces/rejected/ traces Go itself refuses.
// Both are part of the repository: a missing folder is a broken checkout, not a reason to test less.
const minor = (d) => Number(d.slice("go1.".length));
const versions = fs
  .readdirSync(tracesDir)
  .filter((d) => /^go1\.\d+$/.test(d))
  .sort((a, b) => minor(a) - minor(b));
const rejectedDir = path.join(tracesDir, "rejected");
const rejected = fs.existsSync(rejectedDir)
  ? fs.readdirSync(rejectedDir).filter((f) => f.endsWith(".trace")).sort().map((f) => path.join(rejectedDir, f))
  : [];
/** One trace per Go version (http.trace if there is one). */
function traceFor(version) {
  const dir = path.join(tracesDir, version);
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".trace")).sort();
  const pick = files.includes("http.trace") ? "http.trace" : files[0];
  return pick ? path.join(dir, pick) : null;
}
const newest = versions.length ? traceFor(versions[versions.length - 1]) : null;

const { test, finish } = await suite();

async function loadNewest(page) {
  await page.goto(base);
  await waitState(page, "empty");
  await openFile(page, newest);
  await waitState(page, "ready");
}

function laneOf(h, kind, pred = () => true) {
  return h.lanes.find((l) => l.kind === kind && l.runs > 0 && l.x !== null && pred(l));
}

// ---------------------------------------------------------------------------

await test("empty page", async (page) => {
  await page.goto(base);
  await waitState(page, "empty");
  assert((await hook(page)).state === "empty", "hook state");
  assert(await page.isVisible("text=Drop a Go execution trace"), "drop hint");
  await page.screenshot({ path: path.join(out, "01-empty.png") });
});

await test("open a file: lanes are drawn", async (page) => {
  assert(newest, "no traces in testdata/traces");
  await loadNewest(page);
  const h = await hook(page);
  assert(h.drawnSpans > 0, `drawnSpans=${h.drawnSpans}`);
  assert(h.goroutines > 0 && h.procs > 0, "model summary");
  const proc = laneOf(h, "proc");
  assert(proc, "no proc lane with runs");
  const ink = await inkAlong(page, proc.y + proc.h / 2, 200, 1390);
  assert(ink > 0.005, `proc lane looks empty (ink ${ink})`);
  const g = laneOf(h, "goroutine");
  assert(g, "no goroutine lane with runs");
  const gi = await inkAlong(page, g.y + g.h / 2, 200, 1390);
  assert(gi > 0.005, `goroutine lane looks empty (ink ${gi})`);
  const counters = h.lanes.find((l) => l.kind === "goroutines");
  assert(counters && counters.runs > 0, "goroutine counter not drawn");
  assert((await page.textContent(".summary")).includes("goroutines"), "summary");
  await page.screenshot({ path: path.join(out, "02-loaded.png") });
});

for (const v of versions) {
  const file = traceFor(v);
  if (!file) continue;
  await test(`drop ${v}/${path.basename(file)}`, async (page) => {
    await page.goto(base);
    await waitState(page, "empty");
    await dropFile(page, file);
    await waitState(page, "ready");
    const h = await hook(page);
    assert(h.drawnSpans > 0, `drawnSpans=${h.drawnSpans}`);
    assert(laneOf(h, "proc"), "no proc lane drawn");
    if (v === versions[0]) await page.screenshot({ path: path.join(out, `03-drop-${v}.png`) });
  });
}

await test("keyboard: W S A D 0 ?", async (page) => {
  await loadNewest(page);
  await page.focus("#timeline");
  const v0 = (await hook(page)).visible;
  for (let i = 0; i < 5; i++) await page.keyboard.press("w");
  await waitState(page, "ready");
  const v1 = (await hook(page)).visible;
  assert(v1.t1 - v1.t0 < (v0.t1 - v0.t0) * 0.5, `W did not zoom in: ${JSON.stringify([v0, v1])}`);
  await page.keyboard.press("d");
  await waitState(page, "ready");
  const v2 = (await hook(page)).visible;
  assert(v2.t0 > v1.t0, "D did not pan right");
  await page.keyboard.press("a");
  await page.keyboard.press("a");
  await waitState(page, "ready");
  assert((await hook(page)).visible.t0 < v2.t0, "A did not pan left");
  await page.keyboard.press("s");
  await waitState(page, "ready");
  const v3 = (await hook(page)).visible;
  assert(v3.t1 - v3.t0 > v2.t1 - v2.t0, "S did not zoom out");
  assert(page.url().includes("#t="), `hash not updated: ${page.url()}`);
  await page.keyboard.press("0");
  await waitState(page, "ready");
  const v4 = (await hook(page)).visible;
  assert(Math.abs(v4.t1 - v4.t0 - (v0.t1 - v0.t0)) < 1, "0 did not fit all");
  await page.keyboard.press("?");
  await page.waitForSelector("#help", { timeout: 3000 });
  await page.screenshot({ path: path.join(out, "04-help.png") });
  await page.keyboard.press("Escape");
  await page.waitForSelector("#help", { state: "detached", timeout: 3000 });
});

await test("mouse: ctrl+wheel, drag, shift+drag + F", async (page) => {
  await loadNewest(page);
  const box = await page.locator("#timeline").boundingBox();
  const cx = box.x + 700;
  const cy = box.y + 200;
  const v0 = (await hook(page)).visible;
  await page.mouse.move(cx, cy);
  await page.keyboard.down("Control");
  await page.mouse.wheel(0, -400);
  await page.keyboard.up("Control");
  await waitState(page, "ready");
  const v1 = (await hook(page)).visible;
  assert(v1.t1 - v1.t0 < v0.t1 - v0.t0, "ctrl+wheel did not zoom in");
  // Drag to pan.
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  await page.mouse.move(cx - 200, cy, { steps: 5 });
  await page.mouse.up();
  await waitState(page, "ready");
  const v2 = (await hook(page)).visible;
  assert(v2.t0 > v1.t0, "drag did not pan");
  // Shift+drag selects a range; F fits it.
  await page.keyboard.down("Shift");
  await page.mouse.move(cx - 100, cy);
  await page.mouse.down();
  await page.mouse.move(cx + 100, cy, { steps: 5 });
  await page.mouse.up();
  await page.keyboard.up("Shift");
  await waitState(page, "ready");
  assert((await hook(page)).hasSelection, "no range selection");
  await page.screenshot({ path: path.join(out, "05-range-selection.png") });
  await page.keyboard.press("f");
  await waitState(page, "ready");
  const v3 = (await hook(page)).visible;
  assert(v3.t1 - v3.t0 < (v2.t1 - v2.t0) * 0.5, "F did not fit the selection");
});

await test("click a slice: details panel", async (page) => {
  await loadNewest(page);
  const box = await page.locator("#timeline").boundingBox();
  const h = await hook(page);
  const g = laneOf(h, "goroutine");
  assert(g, "no goroutine lane drawn");
  await page.mouse.move(box.x + g.x, box.y + g.y + g.h / 2);
  await page.waitForSelector(".tooltip", { timeout: 3000 });
  await page.mouse.click(box.x + g.x, box.y + g.y + g.h / 2);
  await page.waitForSelector("#details", { timeout: 5000 });
  await waitState(page, "ready");
  const gid = (await page.textContent("#details .gid")).trim();
  assert(/^\d+$/.test(gid), `goroutine id "${gid}"`);
  const st = (await page.textContent("#d-state")).trim();
  assert(/running|runnable|waiting|syscall/.test(st), `state "${st}"`);
  assert((await page.textContent("#d-duration")).match(/\d/), "duration");
  assert((await page.textContent("#d-func")).trim().length > 0, "start function");
  const sel = (await hook(page)).selected;
  assert(sel && String(sel.goroutine) === gid, "hook selection");
  await waitState(page, "ready");
  assert(page.url().includes(`g=${gid}`), `hash lacks the goroutine: ${page.url()}`);
  // Walk to the next slice.
  if (await page.isEnabled("#d-next")) {
    const before = (await hook(page)).selected.span;
    await page.click("#d-next");
    await waitState(page, "ready");
    assert((await hook(page)).selected.span !== before, "next did not move");
  }
  await page.screenshot({ path: path.join(out, "06-details.png") });
  // Find a blocked slice with an unblocker somewhere and follow the link.
});

await test("group header folds and unfolds; Esc clears the selection", async (page) => {
  await loadNewest(page);
  const box = await page.locator("#timeline").boundingBox();
  const h0 = await hook(page);
  const group = h0.lanes.find((l) => l.kind === "group" && l.label.startsWith("▾"));
  assert(group, "no open group");
  const members = (h) => h.lanes.filter((l) => l.kind === "goroutine").length;
  await page.mouse.click(box.x + 60, box.y + group.y + group.h / 2);
  await waitState(page, "ready");
  const h1 = await hook(page);
  const folded = h1.lanes.find((l) => l.kind === "group" && l.index === group.index);
  assert(folded.label.startsWith("▸"), `group not folded: ${folded.label}`);
  assert(members(h1) < members(h0) || h1.lanes.length !== h0.lanes.length, "lanes unchanged");
  await page.mouse.click(box.x + 60, box.y + folded.y + folded.h / 2);
  await waitState(page, "ready");
  assert((await hook(page)).lanes.find((l) => l.kind === "group" && l.index === group.index).label.startsWith("▾"), "not unfolded");
  const g = laneOf(await hook(page), "goroutine");
  await page.mouse.click(box.x + g.x, box.y + g.y + g.h / 2);
  await page.waitForSelector("#details", { timeout: 5000 });
  await page.keyboard.press("Escape");
  await page.waitForSelector("#details", { state: "detached", timeout: 3000 });
  await waitState(page, "ready");
  assert((await hook(page)).selected === null, "selection not cleared");
});

await test("unblocked-by link", async (page) => {
  // critpath: G21 main.waiterA blocks on a channel until G22 main.senderB
  // sends (testdata/programs/critpath), so one of G21's slices names G22 as
  // the goroutine that unblocked it.
  await page.goto(`${base}#g=21`);
  await waitState(page, "empty");
  await openFile(page, path.join(tracesDir, "go1.27", "critpath.trace"));
  await waitState(page, "ready");
  await page.waitForSelector("#details", { timeout: 5000 });
  while ((await page.isEnabled("#d-prev")) && !(await page.$("#d-unblocker"))) await page.click("#d-prev");
  for (let i = 0; i < 50 && !(await page.$("#d-unblocker")) && (await page.isEnabled("#d-next")); i++)
    await page.click("#d-next");
  assert(await page.$("#d-unblocker"), "no slice of G21 names the goroutine that unblocked it");
  const text = await page.textContent("#d-unblocker");
  const want = text.match(/goroutine (\d+)/)?.[1];
  assert(want === "22", `unblocker of G21: "${text}" (want goroutine 22)`);
  await page.click("#d-unblocker");
  await waitState(page, "ready");
  assert(String((await hook(page)).selected.goroutine) === want, "did not jump to the unblocker");
  assert((await page.textContent("#details .gid")).trim() === want, "details not updated");
});

await test("damaged trace: role=alert", async (page) => {
  await page.goto(base);
  await waitState(page, "empty");
  const bytes = fs.readFileSync(newest);
  await openFile(page, "truncated.trace", bytes.subarray(0, Math.floor(bytes.length / 2)));
  await waitState(page, "error");
  const alert = await page.textContent("[role=alert]");
  assert(/trace/i.test(alert), `alert text: ${alert}`);
  assert((await hook(page)).state === "error", "hook state");
  await page.screenshot({ path: path.join(out, "07-damaged.png") });
  // Recovers with a good file.
  await openFile(page, newest);
  await waitState(page, "ready");
  assert(!(await page.$("[role=alert]")), "alert still shown");
});

await test("damaged multi-generation trace: shows what loaded, with an alert", async (page) => {
  // annotations.trace spans several generations: cutting it keeps the
  // complete generations before the cut, as Go does.
  const file = path.join(tracesDir, "go1.27", "annotations.trace");
  const bytes = fs.readFileSync(file);
  await page.goto(base);
  await waitState(page, "empty");
  await openFile(page, "cut.trace", bytes.subarray(0, Math.floor(bytes.length * 0.7)));
  await waitState(page, "ready");
  const alert = await page.textContent("[role=alert]");
  assert(/damaged/i.test(alert) && /incomplete|truncated|ends before/i.test(alert), `alert text: ${alert}`);
  const h = await hook(page);
  assert(h.events > 100 && h.drawnSpans > 0, `partial timeline not drawn: ${h.events} events, ${h.drawnSpans} spans`);
  await page.screenshot({ path: path.join(out, "07b-damaged-partial.png") });
});

await test(`rejected trace ${rejected.length ? path.basename(rejected[0]) : "(none found)"}: role=alert`, async (page) => {
    assert(rejected.length, `no traces in ${rejectedDir}: the rejected-trace check has nothing to open`);
    await page.goto(base);
    await waitState(page, "empty");
    await dropFile(page, rejected[0]);
    await waitState(page, "error");
    assert((await page.textContent("[role=alert]")).length > 20, "alert text");
  });

await test("not a trace: role=alert", async (page) => {
  await page.goto(base);
  await waitState(page, "empty");
  await openFile(page, "notes.txt", Buffer.from("hello, this is not a trace\n".repeat(20)));
  await waitState(page, "error");
  assert(/not a Go execution trace/.test(await page.textContent("[role=alert]")), "alert wording");
});

await test("sample button, ?trace= URL and hash", async (page) => {
  await page.goto(base);
  await waitState(page, "empty");
  await page.click("#sample");
  await waitState(page, "ready");
  assert((await hook(page)).drawnSpans > 0, "sample drew nothing");
  const d = (await hook(page)).duration;
  const a = Math.floor(d / 4);
  const b = Math.floor(d / 2);
  await page.goto(`${base}?trace=./http.trace#t=${a},${b}`);
  await waitState(page, "ready");
  const v = (await hook(page)).visible;
  assert(Math.abs(v.t0 - a) < 2 && Math.abs(v.t1 - b) < 2, `hash range not applied: ${JSON.stringify(v)}`);
});

await test("missing ?trace= URL: role=alert", async (page) => {
  await page.goto(`${base}?trace=./no-such-file.trace`);
  await waitState(page, "error");
  assert(/404/.test(await page.textContent("[role=alert]")), "alert mentions the HTTP status");
  page.errors = page.errors.filter((e) => !/404|no-such-file/.test(e));
});

await test("cancel while reading", async (page) => {
  await page.goto(base);
  await waitState(page, "empty");
  await openFile(page, newest);
  const cancel = await page.waitForSelector("#cancel", { timeout: 5000 }).catch(() => null);
  if (cancel) await cancel.click().catch(() => {});
  await page.waitForFunction(() => ["empty", "ready"].includes(document.querySelector("#app").dataset.state));
  assert(["empty", "ready"].includes(await state(page)), "bad state after cancel");
});

/** Scrolls the lanes (wheel) until a lane of `kind` with runs is fully in view; returns it. */
async function scrollToLane(page, kind, pred = () => true) {
  const box = await page.locator("#timeline").boundingBox();
  for (let i = 0; i < 60; i++) {
    const h = await hook(page);
    const l = h.lanes.find(
      (l) => l.kind === kind && l.runs > 0 && l.x !== null && l.y > 30 && l.y + l.h < box.height - 4 && pred(l),
    );
    if (l) return l;
    await page.mouse.move(box.x + 700, box.y + box.height / 2);
    await page.mouse.wheel(0, 150);
    await waitState(page, "ready");
  }
  return null;
}

/** Pixels of colour `css` (#rrggbb, within a tolerance) along a horizontal canvas line. */
async function colourAlong(page, css, y, x0, x1) {
  return page.evaluate(
    ({ css, y, x0, x1 }) => {
      const want = [1, 3, 5].map((i) => parseInt(css.slice(i, i + 2), 16));
      const c = document.getElementById("timeline");
      const w = Math.max(1, Math.floor(x1 - x0));
      const d = c.getContext("2d").getImageData(Math.floor(x0), Math.floor(y), w, 1).data;
      let n = 0;
      for (let i = 0; i < w; i++) {
        const dr = Math.abs(d[4 * i] - want[0]) + Math.abs(d[4 * i + 1] - want[1]) + Math.abs(d[4 * i + 2] - want[2]);
        if (dr < 40) n++;
      }
      return n;
    },
    { css, y, x0, x1 },
  );
}

await test("thread lanes: drawn, with tooltips", async (page) => {
  await loadNewest(page);
  const h = await hook(page);
  assert(h.threads > 0, `threads=${h.threads}`);
  const t = await scrollToLane(page, "thread");
  assert(t, "no thread lane with runs in view");
  assert(/^Thread \d+/.test(t.label), `thread lane label "${t.label}"`);
  const ink = await inkAlong(page, t.y + t.h / 2, 200, 1390);
  assert(ink > 0.002, `thread lane looks empty (ink ${ink})`);
  const box = await page.locator("#timeline").boundingBox();
  await page.mouse.move(box.x + t.x, box.y + t.y + t.h / 2);
  await page.waitForSelector(".tooltip", { timeout: 3000 });
  const first = (await page.textContent(".tooltip .first")).trim();
  assert(first.startsWith("Thread "), `tooltip "${first}"`);
  await page.screenshot({ path: path.join(out, "12-threads.png") });
});

await test("CPU sample track", async (page) => {
  const file = path.join(tracesDir, "go1.27", "cpuprofile.trace");
  await page.goto(base);
  await waitState(page, "empty");
  await openFile(page, file);
  await waitState(page, "ready");
  const h = await hook(page);
  assert(h.samples > 0, `samples=${h.samples}`);
  const s = await scrollToLane(page, "samples");
  assert(s, "no CPU sample lane with runs in view");
  const ink = await inkAlong(page, s.y + s.h / 2, 200, 1390);
  assert(ink > 0.002, `sample lane looks empty (ink ${ink})`);
  const box = await page.locator("#timeline").boundingBox();
  await page.mouse.move(box.x + s.x, box.y + s.y + s.h / 2);
  await page.waitForSelector(".tooltip", { timeout: 3000 });
  const first = (await page.textContent(".tooltip .first")).trim();
  assert(first.startsWith("CPU sample at"), `tooltip "${first}"`);
  await page.screenshot({ path: path.join(out, "13-cpu-samples.png") });
});

await test("critical path of a goroutine", async (page) => {
  // critpath: G21 main.waiterA waits on G22 main.senderB, which waits on
  // G23 main.holderC's 3 ms with a mutex (testdata/programs/critpath).
  const file = path.join(tracesDir, "go1.27", "critpath.trace");
  await page.goto(`${base}#g=21`);
  await waitState(page, "empty");
  await openFile(page, file);
  await waitState(page, "ready");
  await page.waitForSelector("#details", { timeout: 5000 });
  assert((await page.textContent("#details .gid")).trim() === "21", "G21 not selected from the hash");
  // Its last slice: running until it exits.
  for (let i = 0; i < 50 && (await page.isEnabled("#d-next")); i++) await page.click("#d-next");
  await waitState(page, "ready");
  assert(/running/.test(await page.textContent("#d-state")), "last slice of G21 is not running");
  assert((await hook(page)).critical === null, "a path before asking");
  // The progress line first, then the answer.
  const first = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const seen = () => {
          const busy = document.querySelector("#cp-busy");
          if (busy) return busy.textContent;
          if (document.querySelector("#cp-title")) return "the answer, without a progress line";
          return null;
        };
        const obs = new MutationObserver(() => {
          const s = seen();
          if (s) {
            obs.disconnect();
            resolve(s);
          }
        });
        obs.observe(document.body, { childList: true, subtree: true, characterData: true });
        document.querySelector("#d-critical").click();
      }),
  );
  assert(first.includes("Computing critical path…"), `first shown: ${first}`);
  await page.waitForSelector("#cp-title", { timeout: 20000 });
  await waitState(page, "ready");
  assert((await page.textContent("#cp-title")).includes("G21 main.waiterA"), "panel title");
  const rows = await page.$$eval("#cp-goroutines tr", (trs) =>
    trs.map((tr) => ({ g: tr.dataset.goroutine, text: tr.textContent, pct: parseFloat(tr.querySelector(".cp-share").textContent) })),
  );
  assert(rows.length >= 3, `goroutine rows: ${JSON.stringify(rows)}`);
  assert(rows[0].g === "23" && rows[0].text.includes("main.holderC"), `largest share not on G23: ${JSON.stringify(rows)}`);
  assert(rows.some((r) => r.g === "22" && r.text.includes("main.senderB")), "G22 main.senderB not listed");
  assert(rows.every((r) => r.pct <= rows[0].pct), "shares not ordered");
  assert(rows[0].pct > 50, `G23 share ${rows[0].pct}`);
  const segs = await page.$$eval("#cp-segments li", (lis) => lis.map((li) => li.textContent));
  assert(segs.length >= 3, `segments: ${segs.length}`);
  assert(segs.some((s) => /G23 main\.holderC.*running/.test(s) && /unblocks G22/.test(s)), `no G23 → G22 hop: ${segs.join(" | ")}`);
  assert(/hops?/.test(await page.textContent("#cp-summary")), "summary");
  // The canvas: the path is outlined on G23's lane, hops drawn.
  const h = await hook(page);
  assert(h.critical && h.critical.state === "ready", `hook: ${JSON.stringify(h.critical)}`);
  assert(h.critical.goroutines[0] === 23, `hook goroutines ${h.critical.goroutines}`);
  assert(h.critical.drawnStretches >= 3 && h.critical.drawnHops >= 2, `drawn: ${JSON.stringify(h.critical)}`);
  const g23 = h.lanes.find((l) => l.kind === "goroutine" && l.label === "G23");
  assert(g23, "G23 lane not in view");
  const px = await colourAlong(page, h.critical.color, g23.y + 1, 190, 1400);
  assert(px > 300, `highlight on G23's lane: ${px} px`);
  await page.screenshot({ path: path.join(out, "14-critical-path.png") });
  // A segment selects its goroutine's slice there; the path stays.
  await page.click('#cp-segments li[data-goroutine="22"] button');
  await waitState(page, "ready");
  assert((await hook(page)).selected.goroutine === 22, "segment click did not select G22");
  assert((await page.textContent("#details .gid")).trim() === "22", "details not on G22");
  assert((await hook(page)).critical.state === "ready", "path lost on select");
  // Clear path.
  await page.click("#cp-clear");
  await page.waitForSelector("#critical", { state: "detached", timeout: 3000 });
  await waitState(page, "ready");
  assert((await hook(page)).critical === null, "path not cleared");
  assert((await colourAlong(page, h.critical.color, g23.y + 1, 190, 1400)) === 0, "highlight still drawn");
  // Esc clears it too (with the selection).
  await page.click("#d-critical");
  await page.waitForSelector("#cp-title", { timeout: 20000 });
  await page.focus("#timeline");
  await page.keyboard.press("Escape");
  await page.waitForSelector("#details", { state: "detached", timeout: 3000 });
  await waitState(page, "ready");
  assert((await hook(page)).critical === null, "Esc did not clear the path");
});

await test(
  "critical path in dark mode",
  async (page) => {
    await page.goto(`${base}#g=21`);
    await waitState(page, "empty");
    await openFile(page, path.join(tracesDir, "go1.27", "critpath.trace"));
    await waitState(page, "ready");
    await page.waitForSelector("#details", { timeout: 5000 });
    await page.click("#d-critical");
    await page.waitForSelector("#cp-title", { timeout: 20000 });
    await waitState(page, "ready");
    const h = await hook(page);
    assert(h.critical.state === "ready" && h.critical.color !== "#d1007a", `hook: ${JSON.stringify(h.critical)}`);
    // The slice selected from the hash is G21's wait for G22: G21 has no time on the path, yet is named.
    assert((await page.textContent("#cp-title")).includes("G21 main.waiterA"), "panel title");
    const g23 = h.lanes.find((l) => l.kind === "goroutine" && l.label === "G23");
    assert(g23 && (await colourAlong(page, h.critical.color, g23.y + 1, 190, 1400)) > 100, "no highlight on G23's lane");
    await page.screenshot({ path: path.join(out, "14b-critical-path-dark.png") });
  },
  { colorScheme: "dark" },
);

await test(
  "dark mode",
  async (page) => {
    await loadNewest(page);
    const bg = await page.evaluate(() => {
      const c = document.getElementById("timeline");
      return [...c.getContext("2d").getImageData(2, c.height - 2, 1, 1).data];
    });
    assert(bg[0] + bg[1] + bg[2] < 150, `background not dark: ${bg}`);
    const box = await page.locator("#timeline").boundingBox();
    const g = laneOf(await hook(page), "goroutine");
    await page.mouse.click(box.x + g.x, box.y + g.y + g.h / 2);
    await page.waitForSelector("#details", { timeout: 5000 });
    await page.screenshot({ path: path.join(out, "08-dark.png") });
  },
  { colorScheme: "dark" },
);

await finish();
