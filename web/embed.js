// <go-trace>: the gotrace viewer inside any page.
//
//   <script src="https://tools.example/trace/embed.js"></script>
//   <go-trace src="traces/checkout.trace" view="t=120000000,180000000&g=42"
//             title="Checkout stall" height="420"></go-trace>
//
// The element makes an <iframe> of the viewer that sits beside this file
// (`?embed`), fetches `src` itself (relative to the page, so traces can live
// next to the docs page while the viewer is hosted elsewhere) and hands the
// bytes over with postMessage. The viewer's events come back as DOM events on
// the element: `gotrace-progress`, `gotrace-ready`, `gotrace-error`,
// `gotrace-view`, `gotrace-select`, each with the viewer's message as `detail`.
// Pages that build traces themselves: `GoTrace.embed(element, {buffer | url,
// view, title, goroutine})`. The protocol is in the README ("Embedding").
(() => {
  "use strict";
  if (window.GoTrace) return; // loaded twice: the first definition stays

  const script = document.currentScript;
  const VIEWER = new URL("./", script ? script.src : location.href);
  const PING_MS = 100;
  const PING_TRIES = 300; // 30 s for the viewer to start
  const NEAR = "400px"; // an element this close to the viewport starts loading

  /** `t=START,END&g=G` (the viewer's URL hash form) -> {start, end, goroutine}. */
  function parseView(text) {
    const out = {};
    if (!text) return out;
    const p = new URLSearchParams(String(text).replace(/^#/, ""));
    const t = (p.get("t") || "").split(",").map(Number);
    if (t.length === 2 && t.every(Number.isFinite) && t[1] > t[0]) out.view = { start: t[0], end: t[1] };
    const g = Number(p.get("g"));
    if (p.has("g") && Number.isSafeInteger(g) && g >= 0) out.goroutine = g;
    return out;
  }

  function emit(el, type, detail) {
    el.dispatchEvent(new CustomEvent(`gotrace-${type}`, { detail, bubbles: true }));
  }

  /**
   * One viewer in one iframe inside HOST (an element). Returns a controller:
   * {iframe, load(trace), setView(start, end), select(g), destroy()}.
   */
  function mount(host, { height } = {}) {
    const iframe = document.createElement("iframe");
    iframe.src = new URL("./?embed", VIEWER).href;
    iframe.title = "Go execution trace viewer";
    iframe.setAttribute("allow", "clipboard-write");
    iframe.style.width = "100%";
    iframe.style.height = height || "100%";
    iframe.style.border = "0";
    iframe.style.display = "block";
    host.appendChild(iframe);

    let ready = null; // a promise of the PONG
    const onMessage = (ev) => {
      if (ev.source !== iframe.contentWindow || ev.origin !== VIEWER.origin) return;
      const msg = ev.data;
      if (msg === "PONG") return;
      const m = msg && typeof msg === "object" ? msg.gotrace : null;
      if (m && typeof m.type === "string" && /^[a-z]+$/.test(m.type)) emit(host, m.type, m);
    };
    window.addEventListener("message", onMessage);

    function handshake() {
      if (ready) return ready;
      ready = new Promise((resolve, reject) => {
        let tries = 0;
        const pong = (ev) => {
          if (ev.source === iframe.contentWindow && ev.data === "PONG") {
            window.removeEventListener("message", pong);
            clearInterval(timer);
            resolve();
          }
        };
        window.addEventListener("message", pong);
        const timer = setInterval(() => {
          if (++tries > PING_TRIES) {
            clearInterval(timer);
            window.removeEventListener("message", pong);
            reject(new Error(`the viewer at ${VIEWER.href} did not answer`));
            return;
          }
          iframe.contentWindow?.postMessage("PING", VIEWER.origin);
        }, PING_MS);
      });
      return ready;
    }

    const post = async (msg, transfer = []) => {
      await handshake();
      iframe.contentWindow.postMessage({ gotrace: msg }, VIEWER.origin, transfer);
    };

    return {
      iframe,
      /** {buffer: ArrayBuffer}, {blob: Blob or File} or {url}, with optional title, view {start, end}, goroutine. */
      async load(trace) {
        const msg = {};
        for (const k of ["title", "view", "goroutine"]) if (trace[k] !== undefined) msg[k] = trace[k];
        if (trace.buffer) {
          msg.buffer = trace.buffer;
          await post(msg, [trace.buffer]);
        } else if (trace.blob) {
          // Cloned by reference: the viewer reads it slice by slice.
          msg.blob = trace.blob;
          await post(msg);
        } else if (trace.url) {
          // Fetched here, by the host page: the trace may be on the docs site's origin.
          let res;
          try {
            res = await fetch(new URL(trace.url, document.baseURI));
          } catch (e) {
            throw new Error(`could not fetch ${trace.url}: ${e.message} (network error, or the server does not allow this origin: CORS)`);
          }
          if (!res.ok) throw new Error(`could not fetch ${trace.url}: HTTP ${res.status} ${res.statusText}`);
          msg.buffer = await res.arrayBuffer();
          if (!msg.title) msg.title = decodeURIComponent(new URL(res.url).pathname.split("/").pop() || "trace");
          await post(msg, [msg.buffer]);
        } else {
          throw new Error("GoTrace: give a buffer, a blob or a url");
        }
      },
      setView: (start, end) => post({ view: { start, end } }),
      select: (goroutine) => post({ goroutine }),
      destroy() {
        window.removeEventListener("message", onMessage);
        iframe.remove();
      },
    };
  }

  /** Starts FN once EL is near the viewport (at once where IntersectionObserver is missing). */
  function whenNear(el, fn) {
    if (!("IntersectionObserver" in window)) return fn();
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          io.disconnect();
          fn();
        }
      },
      { rootMargin: NEAR },
    );
    io.observe(el);
    return () => io.disconnect();
  }

  class GoTraceElement extends HTMLElement {
    connectedCallback() {
      if (this._viewer || this._stop) return;
      if (!this.style.display) this.style.display = "block";
      const h = this.getAttribute("height");
      this.style.height = h ? (/^\d+$/.test(h) ? `${h}px` : h) : this.style.height || "400px";
      this._stop = whenNear(this, () => this._start());
    }

    disconnectedCallback() {
      if (this._stop) this._stop();
      this._stop = null;
      if (this._viewer) this._viewer.destroy();
      this._viewer = null;
    }

    _start() {
      this._stop = null;
      this._viewer = mount(this, { height: "100%" });
      const src = this.getAttribute("src");
      if (!src) return;
      const trace = { url: src, ...parseView(this.getAttribute("view")) };
      const title = this.getAttribute("title");
      if (title) trace.title = title;
      this._viewer.load(trace).catch((e) => emit(this, "error", { type: "error", message: String(e.message || e) }));
    }

    /** Moves the view (ns since the trace's start). */
    setView(start, end) {
      return this._viewer?.setView(start, end);
    }

    /** Selects goroutine G and reveals its lane. */
    select(goroutine) {
      return this._viewer?.select(goroutine);
    }
  }

  window.GoTrace = {
    viewer: VIEWER.href,
    /** Embeds a viewer in ELEMENT and opens TRACE ({buffer | blob | url, view, title, goroutine}); returns its controller. */
    embed(element, trace = {}) {
      const v = mount(element, { height: trace.height });
      v.load(trace).catch((e) => emit(element, "error", { type: "error", message: String(e.message || e) }));
      return v;
    },
    parseView,
  };
  if (!customElements.get("go-trace")) customElements.define("go-trace", GoTraceElement);
})();
