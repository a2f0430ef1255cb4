// Starts the viewer. Trunk would inline this as a <script type="module"> in
// index.html, which a page served with `Content-Security-Policy: script-src
// 'self'` refuses to run; as a file of its own it is allowed. index.html
// loads it as `boot.js?js=APP.js&wasm=APP_bg.wasm` (Trunk.toml
// `pattern_script`), so the hashed file names stay and every URL is relative
// to this file: the site works from any sub-path.
const here = new URL(import.meta.url);
const js = new URL(here.searchParams.get("js"), here);
const wasm = new URL(here.searchParams.get("wasm"), here);
const { default: init } = await import(js.href);
await init({ module_or_path: wasm });
