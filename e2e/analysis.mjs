// End-to-end tests of the analysis pages (src/web/pages) in the built viewer
// (dist/), headless Chromium via playwright-core (/usr/bin/chromium).
//
//   node e2e/analysis.mjs http://127.0.0.1:PORT/
//
// Opens real traces from testdata/traces/go1.27, opens every page from the
// header menu and from the timeline's details panel, and checks real
// content against what `gotrace goroutines|tasks|stats` (= go1.27.3) print.
// Screenshots (light and dark) go to e2e/out/analysis-*.png. Prints
// "N passed, M failed" and exits non-zero on any failure.
import fs from "node:fs";
import path from "node:path";
import { assert, backgroundLevel, frames, hook, out, suite, tracesDir } from "./lib.mjs";

const base = process.argv[2] || "http://127.0.0.1:8123/";
const traces = path.join(tracesDir, "go1.27");
const ANNOTATIONS = path.join(traces, "annotations.trace");
const GCASSIST = path.join(traces, "gcassist.trace");
const CPU = path.join(traces, "cpuprofile.trace");

const { test, finish } = await suite({ prefix: "analysis-" });

async function open(page, file, hash = "") {
  await page.goto(base + hash);
  await page.setInputFiles("#file", {
    name: path.basename(file),
    mimeType: "application/octet-stream",
    buffer: fs.readFileSync(file),
  });
  await page.waitForSelector('#app[data-state="ready"]', { timeout: 30000 });
}

const shot = (page, name) => page.screenshot({ path: path.join(out, `analysis-${name}.png`) });

/** Number of non-transparent pixels of a canvas. */
async function ink(page, id) {
  return page.evaluate((id) => {
    const c = document.getElementById(id);
    if (!c || !c.width || !c.height) return 0;
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  }, id);
}

async function waitInk(page, id, min = 500) {
  const t0 = Date.now();
  let n = 0;
  while (Date.now() - t0 < 20000) {
    n = await ink(page, id);
    if (n >= min) return n;
    await page.waitForTimeout(100);
  }
  throw new Error(`canvas #${id} has ${n} inked pixels (want ≥ ${min})`);
}

const text = (page, sel) => page.textContent(sel);

await test("goroutine analysis: groups, group table, filter, click-through", async (page) => {
  await open(page, ANNOTATIONS);
  await page.click("#menu-goroutines");
  // `gotrace goroutines` (= go tool trace /goroutines): main.main.func1, 24 goroutines, 547.84µs.
  const row = '#groups-table tr.group-row[data-name="main.main.func1"]';
  await page.waitForSelector(row, { timeout: 30000 });
  assert((await text(page, `${row} .count`)).trim() === "24", "main.main.func1 should have 24 goroutines");
  // The hook knows the analysis worker's memory as soon as it answered.
  const mem = await page.evaluate(() => window.__gotrace.analysisWorkerWasmMemory);
  assert(mem > 0, `analysisWorkerWasmMemory ${mem} after an answer`);
  assert((await text(page, row)).includes("548 µs"), `exec time: ${await text(page, row)}`);
  // Sort by count: the 24-goroutine group comes first.
  await page.click("#sort-count");
  const first = await page.getAttribute("#groups-table tbody tr.group-row", "data-name");
  assert(first === "main.main.func1", `first row by count: ${first}`);
  // The group's table: 24 goroutines, p50/p90/p99/max rows.
  await page.click(`${row} button`);
  await page.waitForSelector("#group-table tr.goroutine-row");
  assert((await page.$$("#group-table tr.goroutine-row")).length === 24, "24 goroutine rows");
  const stats = await page.$$eval("#group-table tr.stat-row th", (ths) => ths.map((t) => t.textContent));
  assert(stats.join(",") === "p50,p90,p99,max", `stat rows: ${stats}`);
  const heads = await page.$$eval("#group-table thead th", (ths) => ths.map((t) => t.textContent));
  assert(heads.includes("Execution time") && heads.includes("Total"), `columns: ${heads}`);
  await shot(page, "goroutines-light");
  // Filter: function substring, then a goroutine id.
  await page.fill("#f-name", "func2");
  await page.waitForFunction(() => document.querySelectorAll("#groups-table tr.group-row").length === 1);
  await page.fill("#f-name", "");
  await page.waitForFunction(() => document.querySelectorAll("#groups-table tr.group-row").length > 5);
  const gid = (await text(page, "#group-table tr.goroutine-row .goroutine-link")).trim().slice(1);
  await page.fill("#f-id", gid);
  await page.waitForFunction(() => document.querySelectorAll("#group-table tr.goroutine-row").length === 1);
  await page.fill("#f-min", "1h");
  await page.waitForFunction(() => document.querySelectorAll("#groups-table tr.group-row").length === 0);
  await page.fill("#f-min", "");
  await page.fill("#f-id", "");
  await page.waitForFunction(() => document.querySelectorAll("#group-table tr.goroutine-row").length === 24);
  // Click a goroutine: the pages close and the timeline selects it.
  await page.click("#group-table tr.goroutine-row .goroutine-link");
  await page.waitForSelector("#pages", { state: "detached" });
  await frames(page);
  const h = await hook(page);
  assert(h.selected && String(h.selected.goroutine) === gid, `selected ${JSON.stringify(h.selected)} want ${gid}`);
  await page.waitForSelector("#details #d-group-analysis");
  await shot(page, "details-links");
  // From the details panel back to the group.
  await page.click("#d-group-analysis");
  await page.waitForSelector("#group-detail h3");
  assert((await text(page, "#group-detail h3")).includes("main.main.func1"), "details link opens the group");
  // Esc closes the pages.
  await page.keyboard.press("Escape");
  await page.waitForSelector("#pages", { state: "detached" });
});

await test("profiles: flame graph, zoom, tooltip, pprof download", async (page) => {
  await open(page, ANNOTATIONS);
  await page.click("#menu-profiles");
  await page.click("#kind-sched");
  await page.waitForFunction(() => /samples/.test(document.getElementById("profile-summary")?.textContent || ""));
  await waitInk(page, "profile-flame");
  // Hover the first frame of the second row: tooltip with a value and a percentage.
  const box = await page.locator("#profile-flame").boundingBox();
  await page.mouse.move(box.x + 2, box.y + 18 + 9);
  await page.waitForSelector(".flame-tip");
  const tip = await text(page, ".flame-tip");
  assert(/%/.test(tip), `tooltip: ${tip}`);
  // Samples without a stack (goroutines not started yet) get their own frame.
  await page.mouse.move(box.x + box.width - 4, box.y + 18 + 9);
  await page.waitForFunction(() => /no stack/.test(document.querySelector(".flame-tip")?.textContent || ""));
  await page.mouse.click(box.x + 2, box.y + 18 + 9);
  await page.waitForFunction(() => ![...document.querySelectorAll(".flame-tools button")].some((b) => b.disabled));
  await shot(page, "profiles-light");
  // Download: gzip bytes named sched.pb.gz.
  const [dl] = await Promise.all([page.waitForEvent("download"), page.click("#download-pprof")]);
  assert(dl.suggestedFilename() === "sched.pb.gz", `file name ${dl.suggestedFilename()}`);
  const bytes = fs.readFileSync(await dl.path());
  assert(bytes.length > 20 && bytes[0] === 0x1f && bytes[1] === 0x8b, `not gzip: ${bytes.slice(0, 4).toString("hex")}`);
  // The other kinds answer too (network may be empty).
  for (const k of ["net", "sync", "syscall"]) {
    await page.click(`#kind-${k}`);
    await page.waitForFunction(() => /samples/.test(document.getElementById("profile-summary")?.textContent || ""));
  }
});

await test("profiles of a group and of the timeline selection (from the details panel)", async (page) => {
  await open(page, ANNOTATIONS);
  await page.click("#menu-goroutines");
  await page.click('#groups-table tr.group-row[data-name="main.main.func1"] button');
  await page.click("#group-sched");
  await page.waitForFunction(() => /group main\.main\.func1/.test(document.querySelector(".profiles-page h2")?.textContent || ""));
  await page.waitForFunction(() => /samples/.test(document.getElementById("profile-summary")?.textContent || ""));
  await waitInk(page, "profile-flame");
  const groupSummary = await text(page, "#profile-summary");
  // Shift-drag a time range, select a goroutine, then "profile of this selection".
  await page.click("#pages-close");
  const c = await page.locator("#timeline").boundingBox();
  await page.keyboard.down("Shift");
  await page.mouse.move(c.x + c.width * 0.3, c.y + 60);
  await page.mouse.down();
  await page.mouse.move(c.x + c.width * 0.7, c.y + 60, { steps: 5 });
  await page.mouse.up();
  await page.keyboard.up("Shift");
  await frames(page);
  assert((await hook(page)).hasSelection, "a time range is selected");
  await page.click("#menu-goroutines");
  await page.click("#group-table tr.goroutine-row .goroutine-link");
  await page.waitForSelector("#details #d-profile");
  await page.click("#d-profile");
  // The page must re-ask for the selection's range: its title names the range
  // and its summary changes from the group's (the group summary stays on the
  // page until the new answer arrives, so waiting for "samples" alone would pass at once).
  await page.waitForFunction(() => /–/.test(document.querySelector(".profiles-page h2")?.textContent || ""));
  await page.waitForFunction(
    (before) => {
      const t = document.getElementById("profile-summary")?.textContent || "";
      return /samples/.test(t) && t !== before;
    },
    groupSummary,
    { timeout: 20000 },
  );
});

await test("tasks and regions: types, histograms, logs, search, click-through", async (page) => {
  await open(page, ANNOTATIONS);
  await page.click("#menu-tasks");
  await page.waitForSelector("#task-types tr.type-row");
  const types = await page.$$eval("#task-types tr.type-row", (trs) => trs.map((t) => t.textContent));
  // `gotrace tasks`: 12 task types; worker has 24 (all complete).
  assert(types.length === 12, `task types: ${types.length}`);
  const worker = types.find((t) => t.startsWith("worker"));
  assert(worker && /^worker2424/.test(worker.replace(/\s+/g, "")), `worker row: ${worker}`);
  assert((await page.$$("#task-types .histo .b")).length > 3, "histograms drawn");
  assert((await page.$$("#region-types tr.type-row")).length === 7, "7 region groups");
  await shot(page, "tasks-light");
  await page.click('#task-types tr.type-row:has-text("worker") button');
  await page.waitForSelector("#task-list details.task");
  assert((await page.$$("#task-list details.task")).length === 24, "24 worker tasks listed");
  const log = await text(page, "#task-list details.task table.log");
  assert(/task "worker"/.test(log) || /worker/.test(log), `log: ${log.slice(0, 200)}`);
  // Search log text across types.
  await page.click('.tasks-page .filters button:has-text("type")'); // clear the type filter
  await page.fill("#task-search", "step-3");
  await page.waitForFunction(() => /^1 tasks/.test(document.querySelector("#task-list p")?.textContent || ""));
  // Regions of a type, then focus the timeline on one.
  await page.click('#region-types tr.type-row:has-text("compute") button');
  await page.waitForSelector("#region-list .region-focus");
  await page.click("#task-list .task-focus");
  await page.waitForSelector("#pages", { state: "detached" });
  await frames(page);
  assert((await hook(page)).hasSelection, "the task's range is selected on the timeline");
});

await test("MMU: curve, options, worst windows, zoom to one", async (page) => {
  await open(page, GCASSIST);
  await page.click("#menu-mmu");
  await waitInk(page, "mmu-plot", 2000);
  const before = await ink(page, "mmu-plot");
  await page.check("#mmu-percentiles");
  await page.check("#mmu-perproc");
  await page.uncheck("#mmu-stw");
  await page.waitForFunction(() => !document.querySelector(".mmu-page .busy"));
  await waitInk(page, "mmu-plot", 2000);
  await page.check("#mmu-system");
  await page.check("#mmu-stw");
  const box = await page.locator("#mmu-plot").boundingBox();
  await page.mouse.click(box.x + box.width * 0.6, box.y + box.height / 2);
  await page.waitForSelector("#worst-windows .worst-window");
  const n = (await page.$$("#worst-windows .worst-window")).length;
  assert(n >= 1 && n <= 10, `worst windows: ${n}`);
  assert(before > 0, "drawn");
  await shot(page, "mmu-light");
  await page.click("#worst-windows .worst-window");
  await page.waitForSelector("#pages", { state: "detached" });
  await frames(page);
  const h = await hook(page);
  assert(h.hasSelection, "the window is selected");
  assert(h.visible.t1 - h.visible.t0 < h.duration, "the timeline zoomed in");
});

await test("CPU samples flame graph of the trace and of the visible range", async (page) => {
  // View the first 2 µs only (the URL's range applies to the trace opened
  // next): no CPU sample falls there, the profiler's first sample comes
  // milliseconds after the trace starts.
  await open(page, CPU, "#t=0,2000");
  const v = (await hook(page)).visible;
  assert(v.t1 - v.t0 <= 2000, `view not applied: ${JSON.stringify(v)}`);
  await page.click("#menu-cpu");
  await page.click("#scope-all");
  // `gotrace stats`: 9 CPU samples.
  await page.waitForFunction(() => /^9 CPU samples/.test(document.getElementById("cpu-summary")?.textContent || ""));
  await waitInk(page, "cpu-flame");
  await shot(page, "cpu-light");
  await page.click("#scope-visible");
  await page.waitForFunction(() => /– /.test(document.querySelector(".cpu-page h2")?.textContent || ""));
  await page.waitForFunction(() => /^No CPU samples here/.test(document.getElementById("cpu-summary")?.textContent || ""), null, {
    timeout: 20000,
  });
});

await test("dark mode screenshots", async (page) => {
  await open(page, ANNOTATIONS);
  await page.click("#menu-goroutines");
  await page.click('#groups-table tr.group-row[data-name="main.main.func1"] button');
  await page.waitForSelector("#group-table tr.goroutine-row");
  for (const sel of ["#pages", "#group-table"]) {
    const level = await backgroundLevel(page, sel);
    assert(level < 150, `${sel} background is not dark (R+G+B = ${level})`);
  }
  const textLevel = await page.evaluate(() =>
    getComputedStyle(document.querySelector("#group-table td")).color.match(/\d+/g).slice(0, 3).map(Number).reduce((a, b) => a + b),
  );
  assert(textLevel > 450, `table text is not light on the dark background (R+G+B = ${textLevel})`);
  await shot(page, "goroutines-dark");
  await page.click("#tab-profiles");
  await waitInk(page, "profile-flame");
  await shot(page, "profiles-dark");
  await page.click("#tab-tasks");
  await page.waitForSelector("#task-types tr.type-row");
  await shot(page, "tasks-dark");
  await page.click("#tab-mmu");
  await waitInk(page, "mmu-plot", 1000);
  const plotLevel = await backgroundLevel(page, "#mmu-plot");
  assert(plotLevel < 150, `MMU plot background is not dark (R+G+B = ${plotLevel})`);
  const box = await page.locator("#mmu-plot").boundingBox();
  await page.mouse.click(box.x + box.width * 0.5, box.y + box.height / 2);
  await page.waitForSelector("#worst-windows .worst-window");
  await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
  await shot(page, "mmu-dark");
}, { colorScheme: "dark" });

await finish();
