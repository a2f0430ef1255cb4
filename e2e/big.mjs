// Manual check with a big trace (not part of scripts/test.sh):
//   bash scripts/gen-big-trace.sh && python3 -m http.server 8123 --bind 127.0.0.1 --directory dist &
//   node e2e/big.mjs http://127.0.0.1:8123/ bench/out/big.trace
// Prints load phases/timings, main-thread frame gaps while loading, redraw cost; screenshots in e2e/out/.
import fs from "node:fs";
import { launch } from "./lib.mjs";
const browser = await launch();
const page = await (await browser.newContext({ viewport: { width: 1400, height: 860 } })).newPage();
page.on("pageerror", (e) => console.log("pageerror", e.message));
page.on("console", (m) => { if (m.type() === "error" || m.text().startsWith("gotrace")) console.log("console", m.text()); });
await page.goto(process.argv[2]);
await page.waitForSelector('#app[data-state="empty"]');
const buf = fs.readFileSync(process.argv[3]);
const t0 = Date.now();
await page.setInputFiles("#file", { name: "big.trace", mimeType: "application/octet-stream", buffer: buf });
// Measure main-thread responsiveness while loading: max gap between rAF callbacks.
await page.evaluate(() => { window.__gaps = []; let last = performance.now(); const f = (t) => { window.__gaps.push(t - last); last = t; if (window.__gotrace?.state !== "ready") requestAnimationFrame(f); }; requestAnimationFrame(f); });
const prog = [];
let shot = false;
while (true) {
  const st = await page.getAttribute("#app", "data-state");
  const txt = await page.evaluate(() => document.querySelector(".progress-text")?.textContent ?? "");
  prog.push(`${Date.now() - t0}ms ${st} ${txt}`);
  if (txt.startsWith("Reading…") && !shot) {
    shot = true;
    await page.screenshot({ path: "e2e/out/11-big-loading.png" });
  }
  if (st !== "loading") break;
  await page.waitForTimeout(500);
}
console.log(prog.join("\n"));
console.log("ready after", Date.now() - t0, "ms");
const gaps = await page.evaluate(() => window.__gaps);
console.log("max frame gap during load", Math.max(...gaps).toFixed(0), "ms; frames", gaps.length);
const h = await page.evaluate(() => window.__gotrace);
console.log("state", h.state, "drawn", h.drawnSpans, "goroutines", h.goroutines, "events", h.events);
// Time some redraws: zoom in with W and measure.
await page.focus("#timeline");
const t1 = Date.now();
for (let i = 0; i < 10; i++) { await page.keyboard.press("w"); await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))); }
console.log("10 zoom steps", Date.now() - t1, "ms");
const dt = await page.evaluate(() => { const t = performance.now(); window.dispatchEvent(new Event("resize")); return new Promise((r) => requestAnimationFrame(() => r(performance.now() - t))); });
await page.screenshot({ path: "e2e/out/09-big.png" });
await page.keyboard.press("0");
await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
await page.screenshot({ path: "e2e/out/10-big-all.png" });
await browser.close();
