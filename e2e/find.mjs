// Issue 10 "The timeline as users expect it": finding goroutines, hostile
// trace text kept in its box, the goroutine table fitting, small screens,
// and files that are not (plain) traces.
//
//   node e2e/find.mjs http://127.0.0.1:PORT/
//
// Prints "N passed, M failed" and exits non-zero on any failure.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { assert, dropFile, frames, hook, openFile, openTrace, out, state, suite, tracesDir, waitState } from "./lib.mjs";

const base = process.argv[2] || "http://127.0.0.1:8123/";
const HTTP = path.join(tracesDir, "go1.27", "http.trace");
const HOSTILE = [path.join(tracesDir, "go1.27", "hostile.trace"), path.join(tracesDir, "go1.21", "hostile.trace")];
const ANNOTATIONS = path.join(tracesDir, "go1.27", "annotations.trace");

// The ?trace= failures are expected to fail (404, refused connection).
const { test, finish } = await suite({ prefix: "find-", ignoreRequest: (r) => /missing\.trace|127\.0\.0\.1:9\//.test(r.url()) });

const shot = (page, name) => page.screenshot({ path: path.join(out, `find-${name}.png`) });

// ---------------------------------------------------------------------------
// 1. Find and filter goroutines.

await test("/ focuses the search box; text filters lanes; an id selects; Esc clears", async (page) => {
  await openTrace(page, base, HTTP);
  await page.focus("#timeline");
  await page.keyboard.press("/");
  assert(await page.evaluate(() => document.activeElement?.id === "search"), "/ did not focus #search");
  assert(await page.isVisible("#search"), "#search not visible");
  const h0 = await hook(page);
  // A group name other than the first, e.g. "▾ net/http.(*conn).serve (3)".
  const groups = h0.lanes.filter((l) => l.kind === "group").map((l) => l.label.replace(/^[▸▾]\s*/, "").replace(/\s*\(\d+\)$/, ""));
  assert(groups.length > 1, "fewer than two groups");
  const name = groups[1];
  const needle = name.slice(Math.max(0, name.lastIndexOf(".") - 4)).toLowerCase();
  await page.keyboard.type(needle);
  await page.waitForFunction((n) => window.__gotrace?.filter?.text === n, needle, { timeout: 5000 });
  await waitState(page, "ready");
  const h1 = await hook(page);
  assert(h1.filter.matches > 0 && h1.filter.matches < h0.goroutines, `matches ${h1.filter.matches} of ${h0.goroutines}`);
  const shown = h1.lanes.filter((l) => l.kind === "group");
  assert(shown.length > 0, "no group shown");
  assert(shown.length < groups.length, "groups without matches still shown");
  await shot(page, "search-light");
  // Esc clears.
  await page.keyboard.press("Escape");
  await page.waitForFunction(() => window.__gotrace?.filter?.text === "", null, { timeout: 5000 });
  await waitState(page, "ready");
  assert((await hook(page)).lanes.filter((l) => l.kind === "group").length === groups.length, "Esc did not bring the groups back");
  // An id + Enter selects that goroutine and scrolls its lane into view.
  const lastGoroutine = async () => {
    // The goroutine of the last group (likely off-screen): read the ids from the goroutines page would be slow;
    // scroll to the bottom and read the hook instead.
    await page.mouse.move(700, 500);
    for (let i = 0; i < 20; i++) await page.mouse.wheel(0, 2000);
    await waitState(page, "ready");
    const h = await hook(page);
    const g = h.lanes.filter((l) => l.kind === "goroutine").pop();
    await page.keyboard.press("0");
    return Number(g.label.slice(1));
  };
  const id = await lastGoroutine();
  await page.mouse.move(700, 500);
  for (let i = 0; i < 20; i++) await page.mouse.wheel(0, -2000);
  await waitState(page, "ready");
  await page.keyboard.press("/");
  await page.keyboard.type(`G${id}`);
  await page.keyboard.press("Enter");
  await page.waitForSelector("#details", { timeout: 5000 });
  await waitState(page, "ready");
  const h2 = await hook(page);
  assert(h2.selected && h2.selected.goroutine === id, `selected ${JSON.stringify(h2.selected)}, want ${id}`);
  const lane = h2.lanes.find((l) => l.kind === "goroutine" && l.label === `G${id}`);
  assert(lane && lane.y >= 26 && lane.y < 860, `lane of G${id} not in view`);
});

await test("search in dark mode at 800×600", async (page) => {
  await openTrace(page, base, HTTP);
  await page.keyboard.press("/");
  await page.keyboard.type("http");
  await page.waitForFunction(() => window.__gotrace?.filter?.text === "http", null, { timeout: 5000 });
  await waitState(page, "ready");
  await shot(page, "search-dark-800");
}, { colorScheme: "dark", viewport: { width: 800, height: 600 } });

// ---------------------------------------------------------------------------
// 2. Untrusted text stays in its box.

/** Text nodes with bidi overrides/isolates or raw control characters. */
const badText = (page) =>
  page.evaluate(() => {
    const bad = [];
    const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = w.nextNode(); n; n = w.nextNode()) {
      const t = n.nodeValue;
      if (/[\u202a-\u202e\u2066-\u2069\u200b\u0000-\u0008\u000b-\u001f\u007f]/.test(t) || (t.trim() && /[\n\t]/.test(t.trim())))
        bad.push(JSON.stringify(t.slice(0, 80)));
    }
    return bad;
  });

async function fits(page, what) {
  const r = await page.evaluate(() => {
    const vw = window.innerWidth;
    const wide = [...document.querySelectorAll("table, .tooltip, .page, #pages")]
      .map((e) => [e.id || e.className, Math.round(e.getBoundingClientRect().width)])
      .filter(([, w]) => w > vw);
    return { doc: document.documentElement.scrollWidth, vw, wide };
  });
  assert(r.doc <= r.vw + 1, `${what}: document ${r.doc} px wide in a ${r.vw} px viewport`);
  assert(r.wide.length === 0, `${what}: too wide: ${JSON.stringify(r.wide)}`);
  const bad = await badText(page);
  assert(bad.length === 0, `${what}: raw bidi/control characters in ${bad.length} text nodes: ${bad.slice(0, 3).join(", ")}`);
  assert((await page.evaluate(() => window.__xss)) === undefined, `${what}: window.__xss was set`);
}

for (const file of HOSTILE) {
  const v = path.basename(path.dirname(file));
  await test(`hostile ${v}: pages, tables and tooltips stay in the viewport, text escaped`, async (page) => {
    let dialogs = 0;
    page.on("dialog", (d) => {
      dialogs++;
      d.dismiss().catch(() => {});
    });
    await openTrace(page, base, file);
    await fits(page, "timeline");
    // Tooltips on region lanes.
    const box = await page.locator("#timeline").boundingBox();
    const h = await hook(page);
    const regions = h.lanes.filter((l) => l.kind === "regions" && l.x !== null);
    assert(regions.length > 0, "no region lane drawn");
    for (const l of regions.slice(0, 4)) {
      await page.mouse.move(box.x + l.x, box.y + l.y + l.h / 2);
      await page.waitForSelector(".tooltip", { timeout: 3000 });
      const tb = await page.locator(".tooltip").boundingBox();
      assert(tb.width <= 520 && tb.height <= 400, `tooltip ${Math.round(tb.width)}×${Math.round(tb.height)} px`);
      await fits(page, "region tooltip");
    }
    await page.mouse.move(5, 5);
    for (const menu of ["#menu-goroutines", "#menu-tasks", "#menu-profiles", "#menu-mmu"]) {
      await page.click(menu);
      await page.waitForSelector("#pages", { timeout: 5000 });
      await page.waitForTimeout(800);
      if (menu === "#menu-tasks") {
        await page.waitForSelector("#task-types tr.type-row", { timeout: 10000 });
        // Open the first task type's list too.
        await page.click("#task-types tr.type-row button");
        await page.waitForTimeout(800);
        await shot(page, `hostile-${v}-tasks`);
      }
      if (menu === "#menu-goroutines") {
        await page.waitForSelector("#groups-table tr.group-row", { timeout: 10000 });
        await page.click("#groups-table tr.group-row button");
        await page.waitForTimeout(800);
      }
      await fits(page, menu);
    }
    assert(dialogs === 0, `${dialogs} dialogs`);
  });
}

await test("hostile go1.27: tasks page in dark mode", async (page) => {
  await openTrace(page, base, HOSTILE[0]);
  await page.click("#menu-tasks");
  await page.waitForSelector("#task-types tr.type-row", { timeout: 10000 });
  await page.waitForTimeout(500);
  await fits(page, "tasks (dark)");
  await shot(page, "hostile-tasks-dark");
}, { colorScheme: "dark" });

// ---------------------------------------------------------------------------
// 3. The goroutine group table fits.

for (const dark of [false, true]) {
  await test(`goroutine table fits at 1400 px${dark ? " (dark)" : ""}`, async (page) => {
    await openTrace(page, base, ANNOTATIONS);
    await page.click("#menu-goroutines");
    await page.click('#groups-table tr.group-row[data-name="main.main.func1"] button');
    await page.waitForSelector("#group-table tr.goroutine-row");
    const r = await page.evaluate(() => {
      const t = document.getElementById("group-table");
      const wrap = t.closest(".table-wrap");
      const cells = [...t.querySelectorAll("td, th")].map((c) => c.textContent.trim());
      return {
        scroll: wrap.scrollWidth,
        client: wrap.clientWidth,
        bare0: cells.filter((c) => c === "0").length,
        bars: t.querySelectorAll("tr.goroutine-row .breakdown").length,
        rows: t.querySelectorAll("tr.goroutine-row").length,
        heads: [...t.querySelectorAll("thead th")].map((th) => th.textContent.trim()),
      };
    });
    assert(r.scroll <= r.client + 1, `table scrolls: ${r.scroll} px in ${r.client} px (${r.heads.join(" | ")})`);
    assert(r.bare0 === 0, `${r.bare0} cells show a bare "0"`);
    assert(r.bars === r.rows && r.rows > 0, `${r.bars} breakdown bars for ${r.rows} rows`);
    await shot(page, `goroutine-table-${dark ? "dark" : "light"}`);
    // More columns on demand.
    assert(await page.isVisible("#more-columns"), "no 'more columns' toggle");
    const before = r.heads.length;
    await page.click("#more-columns");
    await page.waitForFunction((n) => document.querySelectorAll("#group-table thead th").length > n, before, { timeout: 3000 });
  }, dark ? { colorScheme: "dark" } : undefined);
}

// ---------------------------------------------------------------------------
// 4. Small screens: sections fold, a vertical scrollbar.

for (const dark of [false, true]) {
  await test(`800×600: sections fold; the scrollbar drags${dark ? " (dark)" : ""}`, async (page) => {
    await openTrace(page, base, HTTP);
    const box = await page.locator("#timeline").boundingBox();
    const h0 = await hook(page);
    const sections = h0.lanes.filter((l) => l.kind === "section");
    const procs = sections.find((l) => /Procs/.test(l.label));
    assert(procs && procs.label.startsWith("▾"), `Procs section label: ${procs && procs.label}`);
    await page.mouse.click(box.x + 60, box.y + procs.y + procs.h / 2);
    await waitState(page, "ready");
    const h1 = await hook(page);
    assert(h1.lanes.filter((l) => l.kind === "proc").length === 0, "proc lanes still shown");
    assert(h1.lanes.find((l) => l.kind === "section" && /Procs/.test(l.label)).label.startsWith("▸"), "Procs not marked folded");
    const counters = h1.lanes.find((l) => l.kind === "section" && /Counters/.test(l.label));
    await page.mouse.click(box.x + 60, box.y + counters.y + counters.h / 2);
    await waitState(page, "ready");
    assert((await hook(page)).lanes.filter((l) => l.kind === "goroutines").length === 0, "counters not folded");
    await shot(page, `small-folded-${dark ? "dark" : "light"}`);
    // The scrollbar: dragging down at the right edge scrolls down.
    const s0 = (await hook(page)).scrollY;
    await page.mouse.move(box.x + box.width - 4, box.y + 60);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width - 4, box.y + 300, { steps: 5 });
    await page.mouse.up();
    await waitState(page, "ready");
    const s1 = (await hook(page)).scrollY;
    assert(s1 > s0 + 50, `scrollbar drag did not scroll (${s0} → ${s1})`);
  }, { viewport: { width: 800, height: 600 }, ...(dark ? { colorScheme: "dark" } : {}) });
}

// ---------------------------------------------------------------------------
// 5. Files.

await test("a gzip-compressed trace opens", async (page) => {
  await page.goto(base);
  await waitState(page, "empty");
  await openFile(page, "trace.out.gz", zlib.gzipSync(fs.readFileSync(HTTP)));
  await waitState(page, "ready");
  assert((await hook(page)).drawnSpans > 0, "nothing drawn");
});

const notTraces = [
  ["empty.trace", Buffer.alloc(0), /empty/i],
  ["trace.zip", Buffer.from("PK\x03\x04\x14\x00\x00\x00\x08\x00rest of a zip", "latin1"), /zip/i],
  ["screenshot.png", Buffer.from("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "latin1"), /image/i],
  ["trace.json", Buffer.from('{"traceEvents":[{"name":"a","ph":"X","ts":1,"dur":2}]}'), /JSON/],
];

await test("files that are not traces are named", async (page) => {
  await page.goto(base);
  await waitState(page, "empty");
  for (const [name, bytes, want] of notTraces) {
    await openFile(page, name, bytes);
    await waitState(page, "error");
    const msg = await page.textContent("[role=alert]");
    assert(want.test(msg), `${name}: message "${msg}"`);
  }
});

await test("dropping a bad file keeps the open trace; the alert is dismissable", async (page) => {
  await openTrace(page, base, HTTP);
  const before = await hook(page);
  await dropFile(page, "screenshot.png", notTraces[2][1]);
  await page.waitForSelector("[role=alert]", { timeout: 5000 });
  assert((await state(page)) === "ready", `state ${await state(page)}`);
  assert(/image/i.test(await page.textContent("[role=alert]")), "alert does not name the file kind");
  const after = await hook(page);
  assert(after.events === before.events && after.goroutines === before.goroutines && after.drawnSpans > 0, "the open trace changed");
  await page.click("[role=alert] button.close");
  await page.waitForSelector("[role=alert]", { state: "detached", timeout: 3000 });
});

await test("a failed ?trace= download names the cause", async (page) => {
  await page.goto(base + "?trace=missing.trace");
  await waitState(page, "error");
  const m404 = await page.textContent("[role=alert]");
  assert(/404|not found/i.test(m404), `404 message: ${m404}`);
  await page.goto(base + "?trace=" + encodeURIComponent("http://127.0.0.1:9/x.trace"));
  await waitState(page, "error");
  const mnet = await page.textContent("[role=alert]");
  assert(/CORS|network/i.test(mnet), `network message: ${mnet}`);
  // The browser logs the failed loads itself.
  page.errors.length = 0;
});

await finish();
