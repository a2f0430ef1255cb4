// What every browser script here shares (e2e suites, big-trace check, viewer
// benchmark): launching Debian's Chromium through playwright-core, a test
// runner that fails on page errors, and the page-contract helpers
// (`#app[data-state]`, `window.__gotrace`, `#file`).
import { chromium } from "playwright-core";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, "..");
export const out = path.join(here, "out");
export const tracesDir = path.join(root, "testdata", "traces");
fs.mkdirSync(out, { recursive: true });

/** Headless Chromium (never a downloaded browser: /usr/bin/chromium or $CHROMIUM). */
export function launch(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      ...extraArgs,
    ],
  });
}

export function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

/**
 * A suite: `test(name, fn, contextOptions)` runs `fn(page)` in a fresh context
 * and fails it on any page error, console error or failed request (a
 * request the page aborts on purpose excepted); `finish()` prints the
 * "N passed, M failed" line and exits non-zero on any failure. E2E_ONLY=REGEX
 * runs only the tests whose names match.
 */
export async function suite({ prefix = "", ignoreRequest = () => false } = {}) {
  const browser = await launch();
  let passed = 0;
  let failed = 0;
  const problems = [];

  async function newPage(opts = {}) {
    const ctx = await browser.newContext({
      viewport: { width: 1400, height: 860 },
      deviceScaleFactor: 1,
      acceptDownloads: true,
      ...opts,
    });
    const page = await ctx.newPage();
    page.errors = [];
    page.on("pageerror", (e) => page.errors.push(`pageerror: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") page.errors.push(`console: ${m.text()}`);
    });
    // ERR_ABORTED: a request cut short on purpose (navigation, worker terminated by Cancel).
    page.on("requestfailed", (r) => {
      const why = r.failure()?.errorText ?? "";
      if (!why.includes("ERR_ABORTED") && !r.url().startsWith("blob:") && !ignoreRequest(r))
        page.errors.push(`requestfailed: ${r.url()} ${why}`);
    });
    return page;
  }

  // E2E_ONLY=REGEX runs only the tests whose names match (the others are not counted).
  const only = process.env.E2E_ONLY ? new RegExp(process.env.E2E_ONLY) : null;

  async function test(name, fn, opts) {
    if (only && !only.test(name)) return;
    const page = await newPage(opts);
    const t0 = Date.now();
    try {
      await fn(page);
      const errs = page.errors.filter((e) => !/deprecated parameters|integrity/.test(e));
      assert(errs.length === 0, `errors on the page:\n  ${errs.join("\n  ")}`);
      passed++;
      console.log(`ok    ${name} (${Date.now() - t0} ms)`);
    } catch (e) {
      failed++;
      // A panic in the page (an uncaught error) is often the cause: say it.
      const errs = page.errors.filter((x) => !/deprecated parameters|integrity/.test(x));
      const why = errs.length ? `${e.message}\n  errors on the page:\n  ${errs.join("\n  ")}` : e.message;
      problems.push(`${name}: ${why}`);
      console.log(`FAIL  ${name}: ${why}`);
      try {
        await page.screenshot({ path: path.join(out, `FAIL-${prefix}${name.replace(/\W+/g, "_")}.png`) });
      } catch {}
    } finally {
      await page.context().close();
    }
  }

  async function finish() {
    await browser.close();
    console.log();
    for (const p of problems) console.log(`FAILED: ${p}`);
    console.log(`${passed} passed, ${failed} failed`);
    process.exit(failed ? 1 : 0);
  }

  return { browser, newPage, test, finish };
}

export const hook = (page) => page.evaluate(() => window.__gotrace);
export const state = (page) => page.getAttribute("#app", "data-state");

/** Two animation frames, so the canvas and the hook are current. */
export const frames = (page) =>
  page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

export async function waitState(page, want, timeout = 30000) {
  await page.waitForSelector(`#app[data-state="${want}"]`, { timeout });
  await frames(page);
}

/** Hands a file (or BYTES under FILE's name) to the `#file` input. */
export async function openFile(page, file, bytes) {
  const buffer = bytes ?? fs.readFileSync(file);
  await page.setInputFiles("#file", { name: path.basename(file), mimeType: "application/octet-stream", buffer });
}

/** Drops a file on the page as a user would (a DataTransfer on #app). */
export async function dropFile(page, file, bytes) {
  const data = [...(bytes ?? fs.readFileSync(file))];
  const dt = await page.evaluateHandle(
    ({ data, name }) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(data)], name));
      return dt;
    },
    { data, name: path.basename(file) },
  );
  await page.dispatchEvent("#app", "dragover", { dataTransfer: dt });
  await page.dispatchEvent("#app", "drop", { dataTransfer: dt });
}

/** Opens BASE, then FILE through `#file`, and waits until the timeline is ready. */
export async function openTrace(page, base, file) {
  await page.goto(base);
  await waitState(page, "empty");
  await openFile(page, file);
  await waitState(page, "ready");
}

/** Fraction of pixels along a horizontal canvas line that differ from the background. */
export async function inkAlong(page, y, x0, x1) {
  return page.evaluate(
    ({ y, x0, x1 }) => {
      const c = document.getElementById("timeline");
      const ctx = c.getContext("2d");
      const bg = ctx.getImageData(2, c.height - 2, 1, 1).data;
      const w = Math.max(1, Math.floor(x1 - x0));
      const d = ctx.getImageData(Math.floor(x0), Math.floor(y), w, 1).data;
      let ink = 0;
      for (let i = 0; i < w; i++) {
        const dr = Math.abs(d[4 * i] - bg[0]) + Math.abs(d[4 * i + 1] - bg[1]) + Math.abs(d[4 * i + 2] - bg[2]);
        if (dr > 60) ink++;
      }
      return ink / w;
    },
    { y, x0, x1 },
  );
}

/** Sum of R+G+B of the computed background of SELECTOR (≤ 150: dark). */
export async function backgroundLevel(page, selector) {
  return page.evaluate((sel) => {
    let el = document.querySelector(sel);
    while (el) {
      const m = getComputedStyle(el).backgroundColor.match(/rgba?\((\d+), (\d+), (\d+)(?:, ([\d.]+))?\)/);
      if (m && (m[4] === undefined || Number(m[4]) > 0.5)) return Number(m[1]) + Number(m[2]) + Number(m[3]);
      el = el.parentElement;
    }
    return 765; // no background anywhere: the browser's white
  }, selector);
}
