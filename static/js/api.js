// @ts-check
// Thin fetch wrappers: JSON in, JSON out, and the API's {"error"} as an Error.

export class ApiError extends Error {
  /** @param {number} status @param {string} message */
  constructor(status, message) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }
}

// When the operator sets LOSSBENCH_TOKEN, mutating requests need it. The user
// types it once (the form shows a field after a 401); it lives in this tab only.
const TOKEN_KEY = "lossbench.token";
/** @param {string | null} token */
export function setToken(token) {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage disabled: the token just isn't remembered.
  }
}
function token() {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

/**
 * @param {"GET" | "POST" | "DELETE"} method @param {string} path @param {unknown} [body]
 * @returns {Promise<any>}  the API's JSON (its schemas: routes/contract/schemas.ts)
 */
async function call(method, path, body) {
  /** @type {RequestInit & {headers: Record<string, string>}} */
  const init = { method, headers: { accept: "application/json" } };
  const t = method === "GET" ? null : token();
  if (t) init.headers.authorization = `Bearer ${t}`;
  if (body !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  // Signed out (the cookie expired, or the token changed): sign in again.
  // A typed bearer token that was refused is reported instead, by the form.
  if (res.status === 401 && !t) location.assign("/login");
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (a proxy's error page, say): report the status line instead.
  }
  if (!res.ok) {
    throw new ApiError(res.status, data?.error ?? `${res.status} ${res.statusText || "error"}`);
  }
  return data;
}

/** @typedef {Record<string, string | number | undefined | null>} Query */

export const api = {
  health: () => call("GET", "/api/health"),
  runs: () => call("GET", "/api/runs"),
  run: (/** @type {string} */ id) => call("GET", `/api/runs/${encodeURIComponent(id)}`),
  startRun: (/** @type {unknown} */ body) => call("POST", "/api/runs", body),
  startExperiment: (/** @type {unknown} */ body) => call("POST", "/api/experiments", body),
  cancel: (/** @type {string} */ id) => call("POST", `/api/runs/${encodeURIComponent(id)}/cancel`),
  remove: (/** @type {string} */ id) => call("DELETE", `/api/runs/${encodeURIComponent(id)}`),
  csvUrl: (/** @type {string} */ id) => `/api/runs/${encodeURIComponent(id)}/results.csv`,
  experiments: () => call("GET", "/api/experiments"),
  /** The metric registry: {metrics: [{name, title, unit, direction, stats, csv}]}. */
  metrics: () => call("GET", "/api/metrics"),
  /** One experiment with its statistics; `query` {metric, point, k, on}. */
  experiment: (/** @type {string} */ id, /** @type {Query} */ query = {}) =>
    call("GET", `/api/experiments/${encodeURIComponent(id)}${queryString(query)}`),
  addSeeds: (/** @type {string} */ id, /** @type {number[]} */ seeds) =>
    call("POST", `/api/experiments/${encodeURIComponent(id)}/seeds`, { seeds }),
  cancelExperiment: (/** @type {string} */ id) =>
    call("POST", `/api/experiments/${encodeURIComponent(id)}/cancel`),
  removeExperiment: (/** @type {string} */ id) =>
    call("DELETE", `/api/experiments/${encodeURIComponent(id)}`),
  /** kind: "runs", "summary" or "comparisons" (the last two follow `query`). */
  experimentCsvUrl: (
    /** @type {string} */ id,
    /** @type {"runs" | "summary" | "comparisons"} */ kind,
    /** @type {Query} */ query = {},
  ) => `/api/experiments/${encodeURIComponent(id)}/${kind}.csv${queryString(query)}`,
  /** A tuned experiment's trials, choices, budget curves and cost. */
  tuning: (/** @type {string} */ id) =>
    call("GET", `/api/experiments/${encodeURIComponent(id)}/tuning`),
  losses: () => call("GET", "/api/losses"),
  models: () => call("GET", "/api/models"),
  conditions: () => call("GET", "/api/conditions"),
};

/** "?metric=testAcc&point=lastK&k=3": the set values only, "" when none. @param {Query} query */
export function queryString(query) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null) q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}

/**
 * Splits the API's validation message ("epochs: Too big: …; lr: …") into
 * {field: message}; problems not tied to one top-level field go under "".
 */
/**
 * @param {string} message @param {Set<string>} fields
 * @returns {Record<string, string>}
 */
export function fieldErrors(message, fields) {
  /** @type {Record<string, string>} */
  const out = {};
  for (const part of String(message).split("; ")) {
    const m = /^([A-Za-z][\w.]*): (.*)$/.exec(part);
    const field = m && fields.has(m[1]) ? m[1] : "";
    const text = field && m ? m[2] : part;
    out[field] = out[field] ? `${out[field]}; ${text}` : text;
  }
  return out;
}
