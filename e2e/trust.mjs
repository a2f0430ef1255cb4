// End-to-end tests of "the timeline as users expect it" (issue 10): a view
// belongs to its trace (the URL hash), colours that mean one thing, precision
// that follows the zoom, and small items (error text, root task parent,
// tooltip width, CPU menu without samples).
//
//   node e2e/trust.mjs http://127.0.0.1:PORT/
//
// Prints "N passed, M failed" and exits non-zero on any failure.
import path from "node:path";
import { assert, frames, hook, openFile, out, suite, tracesDir, waitState } from "./lib.mjs";

const base = process.argv[2] || "http://127.0.0.1:8123/";
const t27 = (n) => path.join(tracesDir, "go1.27", n);
const t21 = (n) => path.join(tracesDir, "go1.21", n);
const rejected = path.join(tracesDir, "rejected", "go1.21-cgo-cthreads.trace");

const { test, finish } = await suite({ prefix: "trust-" });

/** Opens FILE and waits until it is the trace shown (the page may stay "ready" while it reads the next file). */
async function open(page, file) {
  await openFile(page, file);
  await page.waitForFunction((name) => document.querySelector(".title .name")?.textContent === name, path.basename(file));
  await waitState(page, "ready");
}

async function gotoAndOpen(page, url, file) {
  await page.goto(url);
  await waitState(page, "empty");
  await open(page, file);
}

const hashOf = (page) => new URL(page.url()).hash;

/** Waits until the hook satisfies PRED (evaluated in the test). */
async function until(page, pred, what, timeout = 5000) {
  const t0 = Date.now();
  let h;
  while (Date.now() - t0 < timeout) {
    await frames(page);
    h = await hook(page);
    if (pred(h)) return h;
    await page.waitForTimeout(50);
  }
  throw new Error(`timed out waiting for ${what}: ${JSON.stringify({ visible: h?.visible, selected: h?.selected })}`);
}

/** Clicks the middle of the widest drawn run of goroutine lane ID (by label). */
async function clickGoroutine(page, id) {
  const h = await hook(page);
  const lane = h.lanes.find((l) => l.kind === "goroutine" && l.runs > 0 && l.x !== null && l.label === `G${id}`);
  assert(lane, `no drawn lane for G${id}: ${h.lanes.filter((l) => l.kind === "goroutine").map((l) => l.label).slice(0, 10)}`);
  const box = await page.locator("#timeline").boundingBox();
  await page.mouse.click(box.x + lane.x, box.y + lane.y + lane.h / 2);
  await waitState(page, "ready");
}

/** The precision (ns per last digit) of a time such as "629.84512 ms". */
function stepOf(text) {
  const m = text.match(/(-?\d+(?:\.(\d+))?)\s*(ns|µs|ms|s)\b/);
  if (!m) return Infinity;
  const unit = { ns: 1, "µs": 1e3, ms: 1e6, s: 1e9 }[m[3]];
  return unit * 10 ** -(m[2]?.length ?? 0);
}

// ---- 1. A view belongs to its trace ----------------------------------------

await test("a later trace opens whole, with no selection", async (page) => {
  await gotoAndOpen(page, base, t27("http.trace"));
  await page.focus("#timeline");
  for (let i = 0; i < 8; i++) await page.keyboard.press("w");
  await waitState(page, "ready");
  const h0 = await hook(page);
  const g = h0.lanes.find((l) => l.kind === "goroutine" && l.runs > 0 && l.x !== null);
  const box = await page.locator("#timeline").boundingBox();
  await page.mouse.click(box.x + g.x, box.y + g.y + g.h / 2);
  await waitState(page, "ready");
  assert((await hook(page)).selected, "nothing selected on the first trace");
  assert(hashOf(page).includes("g="), `no g= in ${hashOf(page)}`);
  await open(page, t27("critpath.trace"));
  const h = await hook(page);
  assert(h.visible.t0 <= 0 && h.visible.t1 >= h.duration, `the second trace opened at ${JSON.stringify(h.visible)} of ${h.duration}`);
  assert(h.selected === null, `the second trace has a selection: ${JSON.stringify(h.selected)}`);
  assert(!/[#&]g=/.test(hashOf(page)), `hash still selects a goroutine: ${hashOf(page)}`);
});

await test("the hash reopens the same view: range, slice, range selection, lane, page", async (page) => {
  await gotoAndOpen(page, base, t27("critpath.trace"));
  // Zoom to the middle, select a slice of G22 (not its first), shift-drag a range, scroll.
  const d = (await hook(page)).duration;
  await page.evaluate((d) => (location.hash = `#t=${Math.round(d * 0.2)},${Math.round(d * 0.8)}`), d);
  await until(page, (h) => Math.abs(h.visible.t0 - d * 0.2) < 2, "the hash edit");
  await clickGoroutine(page, 22);
  const sel = (await hook(page)).selected;
  assert(sel && sel.goroutine === 22, `selected ${JSON.stringify(sel)}`);
  assert(typeof sel.start === "number", "hook: selected.start");
  const box = await page.locator("#timeline").boundingBox();
  await page.keyboard.down("Shift");
  await page.mouse.move(box.x + 500, box.y + 300);
  await page.mouse.down();
  await page.mouse.move(box.x + 800, box.y + 300, { steps: 4 });
  await page.mouse.up();
  await page.keyboard.up("Shift");
  await page.mouse.move(box.x + 700, box.y + 400);
  await page.mouse.wheel(0, 120);
  await waitState(page, "ready");
  const before = await hook(page);
  assert(before.selectionRange, "hook: selectionRange");
  assert(before.topLane, "hook: topLane");
  await page.click("#menu-goroutines");
  await page.waitForSelector('.pages-body[data-page="goroutines"]');
  await frames(page);
  const url = page.url();
  for (const k of ["t=", "g=22", "s=", "sel=", "lane=", "page=goroutines"]) assert(url.includes(k), `hash lacks ${k}: ${url}`);
  // A fresh page with that address, the same trace.
  const p2 = await page.context().newPage();
  await gotoAndOpen(p2, url, t27("critpath.trace"));
  await p2.waitForSelector('.pages-body[data-page="goroutines"]', { timeout: 5000 });
  const after = await hook(p2);
  assert(Math.abs(after.visible.t0 - before.visible.t0) <= 1 && Math.abs(after.visible.t1 - before.visible.t1) <= 1,
    `range ${JSON.stringify(after.visible)} != ${JSON.stringify(before.visible)}`);
  assert(after.selected && after.selected.goroutine === 22 && after.selected.start === sel.start,
    `slice ${JSON.stringify(after.selected)} != ${JSON.stringify(sel)}`);
  assert(Math.abs(after.selectionRange.t0 - before.selectionRange.t0) <= 1 && Math.abs(after.selectionRange.t1 - before.selectionRange.t1) <= 1,
    `range selection ${JSON.stringify(after.selectionRange)} != ${JSON.stringify(before.selectionRange)}`);
  assert(after.topLane === before.topLane, `top lane ${after.topLane} != ${before.topLane}`);
  await p2.close();
});

await test("a bare g= selects the goroutine's slice in view; hash edits and Back/Forward are followed", async (page) => {
  await page.goto(base + "#g=23");
  await waitState(page, "empty");
  await open(page, t27("critpath.trace"));
  const h = await hook(page);
  assert(h.selected && h.selected.goroutine === 23, `g=23 selected ${JSON.stringify(h.selected)}`);
  const d = h.duration;
  const a = [Math.round(d * 0.1), Math.round(d * 0.3)];
  const b = [Math.round(d * 0.5), Math.round(d * 0.6)];
  await page.evaluate((a) => (location.hash = `#t=${a[0]},${a[1]}`), a);
  await until(page, (h) => Math.abs(h.visible.t0 - a[0]) <= 1 && Math.abs(h.visible.t1 - a[1]) <= 1, "the first hash edit");
  await page.evaluate((b) => (location.hash = `#t=${b[0]},${b[1]}&g=21`), b);
  await until(page, (h) => Math.abs(h.visible.t0 - b[0]) <= 1 && h.selected?.goroutine === 21, "the second hash edit");
  await page.goBack();
  await until(page, (h) => Math.abs(h.visible.t0 - a[0]) <= 1 && Math.abs(h.visible.t1 - a[1]) <= 1, "Back");
  await page.goForward();
  await until(page, (h) => Math.abs(h.visible.t0 - b[0]) <= 1, "Forward");
});

// ---- 2. Colours that mean one thing ----------------------------------------

for (const scheme of ["light", "dark"]) {
  await test(`P lanes use no state colour of the legend (${scheme})`, async (page) => {
    await gotoAndOpen(page, base, t27("http.trace"));
    const legend = await page.evaluate(() =>
      [...document.querySelectorAll(".legend .swatch")].slice(0, 8).map((e) => {
        const m = getComputedStyle(e).backgroundColor.match(/\d+/g).map(Number);
        return m.slice(0, 3);
      }),
    );
    assert(legend.length === 8, `legend swatches: ${legend.length}`);
    assert(await page.isVisible(".legend .key.exec"), "the legend does not say what P/thread lane colours mean");
    const h = await hook(page);
    const procs = h.lanes.filter((l) => l.kind === "proc" && l.runs > 0);
    assert(procs.length > 0, "no proc lanes");
    const bad = await page.evaluate(
      ({ procs, legend }) => {
        const c = document.getElementById("timeline");
        const ctx = c.getContext("2d");
        let bad = [];
        let inked = 0;
        for (const l of procs) {
          const y = Math.floor(l.y + 3);
          const d = ctx.getImageData(200, y, c.width - 210, 1).data;
          for (let i = 0; i < d.length; i += 4) {
            const px = [d[i], d[i + 1], d[i + 2]];
            inked++;
            for (const s of legend) {
              const dist = Math.hypot(px[0] - s[0], px[1] - s[1], px[2] - s[2]);
              if (dist < 45) {
                bad.push({ lane: l.label, px, s });
                break;
              }
            }
          }
        }
        return { n: bad.length, inked, first: bad.slice(0, 3) };
      },
      { procs, legend },
    );
    assert(bad.n === 0, `${bad.n} P-lane pixels read as a goroutine state: ${JSON.stringify(bad.first)}`);
    await page.screenshot({ path: path.join(out, `trust-colours-${scheme}.png`) });
  }, { colorScheme: scheme });
}

// ---- 3. Precision that follows the zoom ------------------------------------

await test("a 10 µs view: tooltip, details, cursor badge and axis show sub-µs", async (page) => {
  // Somewhere in the middle of critpath, G22 is running or waiting there.
  await gotoAndOpen(page, base, t27("critpath.trace"));
  const d = (await hook(page)).duration;
  const t0 = Math.round(d * 0.5);
  await page.evaluate((t0) => (location.hash = `#t=${t0},${t0 + 10000}`), t0);
  await until(page, (h) => Math.abs(h.visible.t1 - h.visible.t0 - 10000) < 2, "the 10 µs view");
  const h = await hook(page);
  const lane = h.lanes.find((l) => l.kind === "goroutine" && l.runs > 0 && l.x !== null);
  assert(lane, "no goroutine slice in the 10 µs view");
  const box = await page.locator("#timeline").boundingBox();
  await page.mouse.move(box.x + lane.x, box.y + lane.y + lane.h / 2);
  await page.waitForSelector(".tooltip", { timeout: 3000 });
  const tip = await page.textContent(".tooltip");
  const at = tip.match(/at ([^\n]*?(?:ns|µs|ms|s))/);
  assert(at && stepOf(at[1]) <= 100, `tooltip "${tip}"`);
  const hh = await hook(page);
  assert(hh.cursor && stepOf(hh.cursor) <= 100, `cursor badge "${hh.cursor}"`);
  assert(hh.axis && hh.axis.reference && /\+$/.test(hh.axis.reference), `axis reference ${JSON.stringify(hh.axis)}`);
  assert(hh.axis.ticks.length > 2 && hh.axis.ticks.every((t) => /^(0|\+\d+(\.\d+)? (ns|µs))$/.test(t)), `axis ticks ${JSON.stringify(hh.axis.ticks)}`);
  await page.mouse.click(box.x + lane.x, box.y + lane.y + lane.h / 2);
  await page.waitForSelector("#details");
  for (const id of ["#d-start", "#d-end", "#d-duration", "#d-p", "#d-m"]) assert(await page.isVisible(id), `no ${id}`);
  const start = await page.textContent("#d-start");
  assert(stepOf(start) <= 100, `details start "${start}"`);
  const end = await page.textContent("#d-end");
  assert(stepOf(end) <= 100, `details end "${end}"`);
  await page.screenshot({ path: path.join(out, "trust-precision.png") });
});

await test("long file paths in the stack wrap at separators", async (page) => {
  await gotoAndOpen(page, base, t27("critpath.trace"));
  await clickGoroutine(page, 22);
  await page.waitForSelector("#d-stack li");
  const wbr = await page.$$eval("#d-stack .loc", (ls) => ls.filter((l) => l.textContent.includes("/") && l.querySelector("wbr")).length);
  assert(wbr > 0, "no <wbr> after path separators in #d-stack");
});

// ---- 4. Small items --------------------------------------------------------

await test("error text: sentences are spaced", async (page) => {
  await page.goto(base);
  await waitState(page, "empty");
  await openFile(page, rejected);
  await waitState(page, "error");
  const text = await page.textContent("[role=alert]");
  assert(!/[a-z.!?)]Open/.test(text), `run together: "${text}"`);
});

await test("a root task of an old trace has parent none", async (page) => {
  await gotoAndOpen(page, base, t21("annotations.trace"));
  await page.click("#menu-tasks");
  await page.waitForSelector('.pages-body[data-page="tasks"]');
  await page.click(".pages-body >> text=session");
  await page.waitForFunction(() => document.querySelector(".pages-body").textContent.includes("starts at"), null, { timeout: 10000 });
  const text = await page.textContent(".pages-body");
  assert(!text.includes("18446744073709551615"), "a parent 18446744073709551615 is shown");
});

await test("tooltip after a click keeps its width", async (page) => {
  await gotoAndOpen(page, base, t27("http.trace"));
  const h = await hook(page);
  const box = await page.locator("#timeline").boundingBox();
  // A goroutine slice near the right edge.
  const lane = h.lanes.find((l) => l.kind === "goroutine" && l.runs > 0);
  let x = null;
  // Right of the middle, but inside the canvas once the details panel (360 px) narrows it.
  for (let cx = box.width - 400; cx > box.width - 700; cx -= 4) {
    await page.mouse.move(box.x + cx, box.y + lane.y + lane.h / 2);
    if (await page.isVisible(".tooltip")) {
      x = cx;
      break;
    }
  }
  assert(x !== null, "no tooltip near the right edge");
  await page.mouse.click(box.x + x, box.y + lane.y + lane.h / 2);
  // The pointer moves on at once, as a hand does, while the panel opens.
  await page.mouse.move(box.x + x - 2, box.y + lane.y + lane.h / 2);
  await page.waitForSelector("#details");
  await frames(page);
  const tb = await page.locator(".tooltip").boundingBox();
  assert(tb, "no tooltip after the click");
  const wrap = await page.locator(".timeline-wrap").boundingBox();
  assert(tb.width >= 150, `tooltip ${tb.width}px wide`);
  assert(tb.x >= wrap.x - 1 && tb.x + tb.width <= wrap.x + wrap.width + 1, `tooltip outside the timeline: ${JSON.stringify([tb, wrap])}`);
  await page.screenshot({ path: path.join(out, "trust-tooltip.png") });
});

// The bug: the tooltip was placed (left = pointer + 14 px) for the canvas'
// width when the pointer last moved; a click opens the details panel, the
// canvas narrows by 360 px, and a tooltip that stays put (the pointer has not
// moved) was squeezed against the new right edge into a column of letters.
await test("tooltip after a click without moving keeps its width in the narrowed canvas", async (page) => {
  await gotoAndOpen(page, base, t27("http.trace"));
  const h = await hook(page);
  const box = await page.locator("#timeline").boundingBox();
  // Between 150 px inside the canvas' right edge once the panel (360 px) opens
  // and that edge: where a tooltip laid out for the wide canvas has no room.
  let at = null;
  for (const lane of h.lanes.filter((l) => l.kind === "goroutine" && l.runs > 0)) {
    for (let cx = box.width - 372; cx > box.width - 500 && !at; cx -= 6) {
      await page.mouse.move(box.x + cx, box.y + lane.y + lane.h / 2);
      if (await page.isVisible(".tooltip")) at = [cx, lane.y + lane.h / 2];
    }
    if (at) break;
  }
  assert(at, "no goroutine slice with a tooltip near the right edge");
  const [x] = at;
  // A click where the pointer is: the panel opens, the pointer stays.
  await page.mouse.down();
  await page.mouse.up();
  await page.waitForSelector("#details");
  await frames(page);
  await frames(page);
  const wrap = await page.locator(".timeline-wrap").boundingBox();
  assert(wrap.width < box.width - 300, `the canvas did not narrow (${box.width} → ${wrap.width})`);
  assert(x < wrap.width, `the pointer (${x}) is not over the narrowed canvas (${wrap.width})`);
  const tb = await page.locator(".tooltip").boundingBox();
  assert(tb, "no tooltip after the click");
  await page.screenshot({ path: path.join(out, "trust-tooltip-still.png") });
  assert(tb.width >= 150 && tb.height <= 160, `tooltip squeezed to ${Math.round(tb.width)}×${Math.round(tb.height)} px at x=${Math.round(x)} in a ${Math.round(wrap.width)} px canvas`);
  assert(tb.x >= wrap.x - 1 && tb.x + tb.width <= wrap.x + wrap.width + 1, `tooltip outside the timeline: ${JSON.stringify([tb, wrap])}`);
});

await test("CPU samples menu is disabled for a trace without samples", async (page) => {
  await gotoAndOpen(page, base, t27("critpath.trace"));
  const h = await hook(page);
  assert(h.samples === 0, `critpath has ${h.samples} samples`);
  assert(await page.isDisabled("#menu-cpu"), "#menu-cpu enabled");
  assert(/no CPU samples/i.test((await page.getAttribute("#menu-cpu", "title")) ?? ""), "#menu-cpu title does not say why");
  await open(page, t27("cpuprofile.trace"));
  assert((await hook(page)).samples > 0, "cpuprofile has no samples");
  assert(await page.isEnabled("#menu-cpu"), "#menu-cpu disabled for cpuprofile");
});

await finish();
