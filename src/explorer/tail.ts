/**
 * The Logs tab's live tail (issue 30): while on, every TAIL_MS it asks GET /v1/logs for the
 * events of the current filter whose event time is within the last TAIL_WINDOW (a key range:
 * the index serves it) and puts the ones not yet shown on top of the table, marked new. Events
 * that commit later than TAIL_WINDOW after their event time (a backfill) are found by a search,
 * not by the tail. Cost per poll (docs/explorer.md): one D1 range read of at most
 * TAIL_PAGES × 200 rows, and one self-audit event; it pauses itself while the page is hidden
 * or another tab is shown, and the button pauses it.
 */
export const TAIL = /* js */ `
const TAIL_MS = 5000, TAIL_WINDOW = 15 * 60000, TAIL_PAGES = 5, TAIL_KEEP = 500;
const tail = { on: false, timer: null, seen: new Set(), baseline: true, added: 0, polls: 0, busy: false, gen: 0 };
/**
 * A new search (or the start): the next poll only learns what exists; later ones add. A poll
 * still in flight asked for the old filter: its answer is dropped (gen), never the new baseline.
 */
function tailReset() { tail.seen = new Set(); tail.baseline = true; tail.gen += 1; }
function tailButton() {
  $("tail").setAttribute("aria-pressed", String(tail.on));
  $("tail").textContent = tail.on ? "Pause tail" : "Live tail";
}
function tailStatus(message, error) { setStatus($("tail-status"), message, error); }
async function tailPoll() {
  if (!tail.on || tail.busy) return;
  if (document.hidden || tab !== "logs") return tailStatus("Tail waiting: the page is not shown");
  tail.busy = true;
  const gen = tail.gen;
  try {
    const p = filterParams();
    for (const f of ["since", "from", "to"]) p.delete(f);
    p.set("from", new Date(Date.now() - TAIL_WINDOW).toISOString());
    p.set("limit", "200");
    const fresh = [];
    let more = false;
    for (let page = 0; page < TAIL_PAGES; page++) {
      const body = await apiJson("/v1/logs?" + p);
      for (const r of body.data) if (!tail.seen.has(r.id)) fresh.push(r);
      more = Boolean(body.nextCursor);
      if (!more) break;
      p.set("cursor", body.nextCursor);
    }
    if (gen !== tail.gen) return; // a new search started meanwhile
    tail.polls += 1;
    if (tail.baseline) {
      tail.baseline = false;
      for (const r of fresh) tail.seen.add(r.id);
      fresh.length = 0;
    }
    // newest first, on top of the table
    fresh.sort((a, b) => (a.eventTime < b.eventTime ? 1 : a.eventTime > b.eventTime ? -1 : 0));
    const rows = $("rows");
    for (const r of fresh.reverse()) {
      tail.seen.add(r.id);
      const tr = rowNode(r);
      tr.classList.add("new");
      rows.prepend(tr);
    }
    // The table keeps TAIL_KEEP rows: the oldest go. "Load more" would go on after the last row
    // loaded, not after the last one kept, and leave a hole: it goes too (a search pages again).
    let trimmed = false;
    while (rows.children.length > TAIL_KEEP) { rows.lastElementChild.remove(); trimmed = true; }
    if (trimmed && cursor) { cursor = null; $("more").hidden = true; }
    tail.added += fresh.length;
    tailStatus("Tailing: " + tail.added + " new event" + (tail.added === 1 ? "" : "s") + " since it started; last poll " +
      new Date().toISOString().slice(11, 19) + " UTC" + (more ? " (over " + TAIL_PAGES * 200 + " events in 15 minutes: the newest are shown; narrow the filter)" : "") +
      (trimmed ? "; the table keeps the newest " + TAIL_KEEP + " rows (Search again to page through older ones)" : ""));
  } catch (e) {
    if (gen === tail.gen) tailStatus("Tail: " + e.message, true);
  } finally {
    tail.busy = false;
  }
}
function setTail(on) {
  tail.on = on;
  clearInterval(tail.timer);
  tailButton();
  if (!on) return tailStatus(tail.polls ? "Tail paused (" + tail.added + " new events shown)" : "");
  tailReset();
  tail.added = 0;
  tail.polls = 0;
  tailStatus("Tailing: waiting for new events (every " + TAIL_MS / 1000 + " s)…");
  tail.timer = setInterval(tailPoll, TAIL_MS);
  tailPoll();
}
$("tail").addEventListener("click", () => setTail(!tail.on));
document.addEventListener("visibilitychange", () => { if (tail.on && !document.hidden) tailPoll(); });
`;
