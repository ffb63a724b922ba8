// @ts-check
// The page's header line (connection state, the service's health, the
// sign-out button, the data sets it offers) and its notices.
import { $ } from "./format.js";
import { state } from "./state.js";

/**
 * The connection state and the service's health line; `onHealth` hands the
 * health on (the form picks its data set from it).
 * @param {(health: Record<string, any> | null) => void} onHealth
 */
export function renderHeader(onHealth) {
  const conn = $("#conn");
  conn.dataset.state = state.connection;
  conn.textContent = {
    connecting: "connecting…",
    live: "live",
    reconnecting: "reconnecting…",
  }[state.connection] ?? state.connection;
  const hl = state.health;
  const parts = [];
  if (hl) {
    // Shape per routes/health.ts; read defensively, it is only a status line.
    if (hl.status && hl.status !== "ok") parts.push(String(hl.status));
    if (hl.backend) parts.push(`backend ${hl.backend}`);
    if (hl.adapter && hl.adapter !== hl.backend) parts.push(String(hl.adapter));
    const w = hl.workers;
    if (w && typeof w === "object") parts.push(`workers ${w.busy ?? "?"}/${w.total ?? "?"} busy`);
    const q = hl.queue;
    if (q && typeof q === "object") parts.push(`queue ${q.length ?? 0}`);
  }
  $("#health").textContent = parts.join(" · ");
  // Signed in with the cookie (LOSSBENCH_TOKEN set): the form posts to /api/logout, then /login.
  $("#sign-out").hidden = hl?.session !== "cookie";
  onHealth(hl);
  const sets = hl?.datasets;
  if (Array.isArray(sets)) {
    const list = $("#data-sets");
    const names = new Set(["cifar10", "synthetic", ...sets.map(String)]);
    list.replaceChildren(...[...names].map((n) => Object.assign(new Option(), { value: n })));
  }
}

let noticeTimer = 0;
/** @param {string} text */
export function notice(text) {
  const el = $("#notice");
  el.textContent = text;
  el.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => (el.hidden = true), 6000);
}
