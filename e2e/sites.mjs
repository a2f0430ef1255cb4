// Two static sites on two origins, as a team hosts them: the viewer (dist/)
// under a sub-path with the strict Content-Security-Policy the README
// recommends, and a docs site (e2e/docs-site/) that embeds it and keeps its
// traces next to its pages.
//
//   node e2e/sites.mjs            # serves both until Ctrl-C, prints the URLs
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { root } from "./lib.mjs";

export const VIEWER_PATH = "/tools/trace/";
export const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; " +
  "connect-src 'self' blob: data:; worker-src 'self' blob:";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".trace": "application/octet-stream",
};

/** Serves FILE (or 404) with HEADERS; TRANSFORM may rewrite text bodies. */
function send(res, file, headers = {}, transform = null) {
  let body;
  try {
    if (!fs.statSync(file).isFile()) throw new Error("not a file");
    body = fs.readFileSync(file);
  } catch {
    res.writeHead(404, { "content-type": "text/plain", ...headers });
    res.end("not found");
    return;
  }
  if (transform) body = Buffer.from(transform(body.toString("utf8")));
  res.writeHead(200, {
    "content-type": TYPES[path.extname(file)] || "application/octet-stream",
    "cache-control": "no-store",
    ...headers,
  });
  res.end(body);
}

/** Resolves URL path P inside DIR, refusing anything that climbs out of it. */
function inside(dir, p) {
  const f = path.resolve(dir, "." + decodeURIComponent(p));
  return f.startsWith(path.resolve(dir) + path.sep) || f === path.resolve(dir) ? f : null;
}

function listen(handler) {
  return new Promise((resolve) => {
    const server = http.createServer(handler);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

/**
 * Starts both sites. The viewer's origin is 127.0.0.1, the docs site's
 * `localhost`: different origins, as in production. EXTRA(viewerUrl) may add
 * docs-site files as {urlPath: Buffer}.
 */
export async function startSites({ dist = path.join(root, "dist"), extra: makeExtra = () => ({}) } = {}) {
  const docsDir = path.join(root, "e2e", "docs-site");
  const traces = path.join(root, "testdata", "traces", "go1.27");
  const viewer = await listen((req, res) => {
    const url = new URL(req.url, "http://x");
    if (!url.pathname.startsWith(VIEWER_PATH)) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("the viewer lives under " + VIEWER_PATH);
      return;
    }
    let p = url.pathname.slice(VIEWER_PATH.length - 1);
    if (p.endsWith("/")) p += "index.html";
    const f = inside(dist, p);
    if (!f) return send(res, "/nonexistent");
    send(res, f, { "content-security-policy": CSP });
  });
  const viewerUrl = `http://127.0.0.1:${viewer.address().port}${VIEWER_PATH}`;
  const extra = makeExtra(viewerUrl);
  const docs = await listen((req, res) => {
    const url = new URL(req.url, "http://x");
    const p = url.pathname;
    if (extra[p]) {
      res.writeHead(200, { "content-type": TYPES[path.extname(p)] || "application/octet-stream" });
      res.end(extra[p]);
      return;
    }
    if (p.startsWith("/traces/")) {
      const f = inside(traces, p.slice("/traces".length));
      return send(res, f || "/nonexistent");
    }
    const f = inside(docsDir, p.endsWith("/") ? p + "index.html" : p);
    send(res, f || "/nonexistent", {}, /\.html$/.test(p) || p.endsWith("/") ? (t) => t.replaceAll("{{VIEWER}}", viewerUrl) : null);
  });
  const docsUrl = `http://localhost:${docs.address().port}/`;
  return {
    viewerUrl,
    docsUrl,
    close: () => Promise.all([viewer, docs].map((s) => new Promise((r) => s.close(r)))),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const s = await startSites();
  console.log(`viewer (CSP, sub-path): ${s.viewerUrl}\ndocs site:              ${s.docsUrl}`);
}
