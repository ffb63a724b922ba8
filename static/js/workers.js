// @ts-check
// The dashboard's workers panel: the training processes sharing the service's
// KV (GET /api/workers), refreshed every few seconds while the page is visible.
// Self-contained: it fills <section id="workers"> and creates that section
// (after "In progress") when the page has none.
import { state } from "./state.js";

const REFRESH_MS = 5000;

function section() {
  let el = document.getElementById("workers");
  if (el) return el;
  el = document.createElement("section");
  el.id = "workers";
  el.className = "panel";
  el.setAttribute("aria-labelledby", "workers-h");
  const anchor = document.getElementById("active") ?? document.querySelector(".content");
  if (anchor?.id === "active") anchor.after(el);
  else (anchor ?? document.body).prepend(el);
  return el;
}

/** @param {HTMLTableRowElement} row @param {string} text @param {string} [cls] */
function cell(row, text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  row.append(td);
}

/**
 * Renders the panel from GET /api/workers' body (exported for tests).
 * @param {HTMLElement} el @param {{workers?: Record<string, any>[]} | null} body
 */
export function renderWorkers(el, body) {
  const workers = body?.workers ?? [];
  el.replaceChildren();
  const h = document.createElement("h2");
  h.id = "workers-h";
  h.textContent = `Workers (${workers.length})`;
  el.append(h);
  if (!workers.length) {
    const p = document.createElement("p");
    p.className = "hint";
    p.textContent = "No worker process is training from this KV right now.";
    el.append(p);
    return;
  }
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  for (const t of ["Host", "PID", "Backend", "Data sets", "Cores", "Runs", "Heartbeat"]) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = t;
    head.append(th);
  }
  const tbody = table.createTBody();
  for (const w of workers) {
    const row = tbody.insertRow();
    cell(row, w.host);
    cell(row, String(w.pid), "num");
    cell(row, `${w.backend} (${w.adapter})`);
    cell(row, w.datasets.join(", "));
    cell(row, String(w.cores), "num");
    cell(row, `${w.runs.length}/${w.slots}${w.runs.length ? ": " + w.runs.join(", ") : ""}`);
    cell(row, `${w.heartbeatSecondsAgo} s ago`, "num");
  }
  const wrap = document.createElement("div");
  wrap.className = "table-wrap";
  wrap.append(table);
  el.append(wrap);
}

async function refresh() {
  // Like the header's counts: only while the live feed is up (a request to a
  // restarting service would only fail, and the browser logs every failure).
  if (document.hidden || state.connection !== "live") return;
  try {
    const res = await fetch("/api/workers", { headers: { accept: "application/json" } });
    if (res.ok) renderWorkers(section(), await res.json());
  } catch {
    // Offline for a moment: the next refresh tries again.
  }
}

if (typeof document !== "undefined" && typeof window !== "undefined") {
  refresh();
  setInterval(refresh, REFRESH_MS);
  document.addEventListener("visibilitychange", refresh);
}
