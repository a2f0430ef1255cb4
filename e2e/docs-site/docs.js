// Reacts to the embedded viewers' events, as a docs page's own script would.
window.events = [];
for (const el of document.querySelectorAll("go-trace")) {
  const picked = document.getElementById(`picked-${el.id.replace(/^trace-/, "")}`);
  for (const type of ["ready", "error", "view", "select"]) {
    el.addEventListener(`gotrace-${type}`, (e) => window.events.push({ id: el.id, type, detail: e.detail }));
  }
  el.addEventListener("gotrace-select", (e) => {
    const d = e.detail;
    picked.textContent =
      d.goroutine == null ? "Nothing selected." : `You picked goroutine ${d.goroutine} (${d.start}–${d.end} ns).`;
  });
  el.addEventListener("gotrace-error", (e) => {
    picked.textContent = `The trace could not be shown: ${e.detail.message}`;
  });
}
