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

/** How many canvas pixels in the rectangle (x, y, w, h) are within 12 of CSS colour "#rrggbb". */
const pixelsOf = (page, color, [x, y, w, h]) =>
  page.evaluate(
    ({ color, x, y, w, h }) => {
      const want = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16));
      const ctx = document.getElementById("timeline").getContext("2d");
      const d = ctx.getImageData(Math.round(x), Math.round(y), Math.max(1, Math.round(w)), Math.max(1, Math.round(h))).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4)
        if (Math.abs(d[i] - want[0]) + Math.abs(d[i + 1] - want[1]) + Math.abs(d[i + 2] - want[2]) <= 12) n++;
      return n;
    },
    { color, x, y, w, h },
  );

for (const dark of [false, true]) {
  await test(`search marks its matches on the canvas; "hide others" off keeps the misses, dimmed${dark ? " (dark)" : ""}`, async (page) => {
    await openTrace(page, base, HTTP);
    const h0 = await hook(page);
    const groups = h0.lanes.filter((l) => l.kind === "group");
    await page.keyboard.press("/");
    await page.keyboard.type("serve");
    await page.waitForFunction(() => window.__gotrace?.filter?.text === "serve", null, { timeout: 5000 });
    await waitState(page, "ready");
    const h1 = await hook(page);
    // Pixels first: the mark behind "serve" in the group's header (theme.rs: find_mark).
    const markColor = dark ? "#845306" : "#ffd33d";
    const grp = h1.lanes.find((l) => l.kind === "group" && /serve/.test(l.label));
    assert(grp, "no group header for serve");
    const mark = await pixelsOf(page, markColor, [4, grp.y + 2, 600, grp.h - 4]);
    assert(mark > 60, `${mark} px of the mark colour ${markColor} in the group header "${grp.label}"`);
    assert(h1.filter.markColor === markColor, `hook markColor ${h1.filter.markColor}`);
    assert(h0.lanes.every((l) => l.match === null && l.dimmed === false), "lanes marked without a search");
    assert(h1.filter.hide === true, `filter.hide ${h1.filter.hide}`);
    const gl = h1.lanes.filter((l) => l.kind === "goroutine");
    assert(gl.length > 0 && gl.every((l) => l.match === true && !l.dimmed), `goroutine lanes: ${JSON.stringify(gl.map((l) => [l.label, l.match]))}`);
    assert(h1.filter.marked >= gl.length, `marked ${h1.filter.marked}`);
    assert(grp.match === true, `the group header is not a match: ${JSON.stringify(grp)}`);
    // The bar at each match's left edge.
    const g = gl[0];
    const bar = await pixelsOf(page, h1.filter.edgeColor, [0, g.y, 3, g.h]);
    assert(bar >= g.h * 2, `${bar} px of the match bar ${h1.filter.edgeColor} on ${g.label}`);
    await shot(page, `search-marks-${dark ? "dark" : "light"}`);
    // Keep the others, dimmed.
    await page.uncheck("#search-hide");
    await page.waitForFunction(() => window.__gotrace?.filter?.hide === false, null, { timeout: 5000 });
    await waitState(page, "ready");
    const h2 = await hook(page);
    assert(h2.lanes.filter((l) => l.kind === "group").length === groups.length, "kept: groups without matches not shown");
    assert(/match\)/.test(h2.lanes.find((l) => l.kind === "section" && /Goroutines/.test(l.label)).label), "the Goroutines title does not count the matches");
    const miss = h2.lanes.filter((l) => l.match === false);
    assert(miss.length > 0 && miss.every((l) => l.dimmed), `misses: ${JSON.stringify(miss.map((l) => [l.label, l.dimmed]))}`);
    assert(h2.lanes.filter((l) => l.match === true).every((l) => !l.dimmed), "a match is dimmed");
    assert(h2.filter.matches === h1.filter.matches, `matches ${h2.filter.matches} vs ${h1.filter.matches}`);
    await shot(page, `search-dimmed-${dark ? "dark" : "light"}`);
    // Back to hiding; Esc clears every mark.
    await page.check("#search-hide");
    await page.waitForFunction(() => window.__gotrace?.filter?.hide === true, null, { timeout: 5000 });
    await page.focus("#search");
    await page.keyboard.press("Escape");
    await page.waitForFunction(() => window.__gotrace?.filter?.text === "", null, { timeout: 5000 });
    await waitState(page, "ready");
    const h3 = await hook(page);
    assert(h3.lanes.every((l) => l.match === null && !l.dimmed) && h3.filter.marked === 0, "marks left after Esc");
  }, dark ? { colorScheme: "dark" } : undefined);
}

await test("sections and group headers fold from the keyboard (↑/↓, Enter, Space); the help lists the keys", async (page) => {
  await openTrace(page, base, HTTP);
  await page.focus("#timeline");
  const focusKey = async () => (await hook(page)).headerFocus?.key ?? null;
  const procLanes = (await hook(page)).lanes.filter((l) => l.kind === "proc").length;
  assert(procLanes > 0, "no proc lanes");
  // ↓ ↓ Enter: Counters, Procs, fold.
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  await waitState(page, "ready");
  assert((await hook(page)).lanes.filter((l) => l.kind === "proc").length === 0, "↓ ↓ Enter did not fold Procs");
  await page.keyboard.press(" ");
  await waitState(page, "ready");
  assert((await hook(page)).lanes.filter((l) => l.kind === "proc").length === procLanes, "Space did not unfold Procs");
  await page.keyboard.press("Escape");
  await frames(page);
  assert((await hook(page)).headerFocus === null, "Esc kept the header focus");
  // Again, step by step.
  await page.keyboard.press("ArrowDown");
  await frames(page);
  assert((await focusKey()) === "sec0", `first ↓: ${await focusKey()}`);
  await page.keyboard.press("ArrowDown");
  await frames(page);
  const h1 = await hook(page);
  assert(h1.headerFocus?.key === "sec1" && /Procs/.test(h1.headerFocus.label), `second ↓: ${JSON.stringify(h1.headerFocus)}`);
  // The focus ring is drawn on the Procs header.
  const procs = h1.lanes.find((l) => l.kind === "section" && /Procs/.test(l.label));
  const ring = await pixelsOf(page, h1.headerFocus.color, [0, procs.y, 4, procs.h]);
  assert(ring >= procs.h, `${ring} px of the focus ring on the Procs header`);
  await page.keyboard.press("Enter");
  await waitState(page, "ready");
  let h = await hook(page);
  assert(h.lanes.filter((l) => l.kind === "proc").length === 0, "Enter did not fold Procs");
  assert(h.lanes.find((l) => l.kind === "section" && /Procs/.test(l.label)).label.startsWith("▸"), "Procs not marked folded");
  assert(h.headerFocus?.key === "sec1", `the focus left Procs: ${JSON.stringify(h.headerFocus)}`);
  await page.keyboard.press(" ");
  await waitState(page, "ready");
  h = await hook(page);
  assert(h.lanes.filter((l) => l.kind === "proc").length === procLanes, "Space did not unfold Procs");
  // On to the first goroutine group (past Threads) and fold it.
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await frames(page);
  h = await hook(page);
  assert(h.headerFocus?.key?.startsWith("grp"), `focus after Threads: ${JSON.stringify(h.headerFocus)}`);
  const key = h.headerFocus.key;
  const before = h.headerFocus.label;
  await page.keyboard.press("Enter");
  await waitState(page, "ready");
  h = await hook(page);
  assert(h.headerFocus?.key === key && h.headerFocus.label[0] !== before[0], `group ${key} not toggled: "${before}" → "${h.headerFocus?.label}"`);
  // ↑ goes back; Esc takes the focus away.
  await page.keyboard.press("ArrowUp");
  await frames(page);
  assert((await focusKey()) === "sec2", `↑: ${await focusKey()}`);
  await page.keyboard.press("Escape");
  await frames(page);
  assert((await focusKey()) === null, "Esc kept the header focus");
  // The help names the keys.
  await page.keyboard.press("?");
  await page.waitForSelector("#help");
  const help = await page.textContent("#help");
  assert(/↑/.test(help) && /↓/.test(help) && /Enter/.test(help) && /fold or unfold the header/.test(help), "the help does not list the folding keys");
});

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

for (const dark of [false, true]) {
  await test(`800×600: the tasks table fits; the text fields of the analysis pages look alike${dark ? " (dark)" : ""}`, async (page) => {
    await openTrace(page, base, ANNOTATIONS);
    await page.click("#menu-tasks");
    await page.waitForSelector("#task-types tr.type-row", { timeout: 10000 });
    await page.waitForTimeout(300);
    const r = await page.evaluate(() => {
      const t = document.getElementById("task-types");
      const wrap = t.closest(".table-wrap") || t.parentElement;
      return { scroll: wrap.scrollWidth, client: wrap.clientWidth, right: t.getBoundingClientRect().right, vw: window.innerWidth };
    });
    assert(r.scroll <= r.client + 1 && r.right <= r.vw, `the tasks table is cut: ${JSON.stringify(r)}`);
    await shot(page, `tasks-800-${dark ? "dark" : "light"}`);
    // The goroutines page's "Function contains" (type=search) is styled as its "Goroutine" field (type=text).
    await page.click("#menu-goroutines");
    await page.waitForSelector("#f-name");
    const look = (sel) =>
      page.evaluate((sel) => {
        const c = getComputedStyle(document.querySelector(sel));
        return [c.borderRadius, c.borderTopColor, c.backgroundColor, c.paddingLeft].join(" ");
      }, sel);
    const [a, b] = [await look("#f-name"), await look("#f-id")];
    assert(a === b, `#f-name looks like "${a}", #f-id like "${b}"`);
  }, { viewport: { width: 800, height: 600 }, ...(dark ? { colorScheme: "dark" } : {}) });
}

await test("800×600: the help fits the window (its title and Close reachable)", async (page) => {
  await openTrace(page, base, HTTP);
  await page.keyboard.press("?");
  await page.waitForSelector("#help");
  const r = await page.evaluate(() => {
    const b = document.getElementById("help").getBoundingClientRect();
    return { top: b.top, bottom: b.bottom, vh: window.innerHeight };
  });
  assert(r.top >= 0 && r.bottom <= r.vh, `the help runs off the window: ${JSON.stringify(r)}`);
  await page.locator("#help button.primary").scrollIntoViewIfNeeded();
  await page.click("#help button.primary");
  await page.waitForSelector("#help", { state: "detached", timeout: 3000 });
}, { viewport: { width: 800, height: 600 } });

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
