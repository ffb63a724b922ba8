// Thin fetch wrappers: JSON in, JSON out, and the API's {"error"} as an Error.

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }
}

// When the operator sets LOSSBENCH_TOKEN, mutating requests need it. The user
// types it once (the form shows a field after a 401); it lives in this tab only.
const TOKEN_KEY = "lossbench.token";
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

async function call(method, path, body) {
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

export const api = {
  health: () => call("GET", "/api/health"),
  runs: () => call("GET", "/api/runs"),
  run: (id) => call("GET", `/api/runs/${encodeURIComponent(id)}`),
  startRun: (body) => call("POST", "/api/runs", body),
  startExperiment: (body) => call("POST", "/api/experiments", body),
  cancel: (id) => call("POST", `/api/runs/${encodeURIComponent(id)}/cancel`),
  remove: (id) => call("DELETE", `/api/runs/${encodeURIComponent(id)}`),
  csvUrl: (id) => `/api/runs/${encodeURIComponent(id)}/results.csv`,
  experiments: () => call("GET", "/api/experiments"),
  /** One experiment with its statistics; `query` {metric, point, k, on}. */
  experiment: (id, query = {}) =>
    call("GET", `/api/experiments/${encodeURIComponent(id)}${queryString(query)}`),
  addSeeds: (id, seeds) =>
    call("POST", `/api/experiments/${encodeURIComponent(id)}/seeds`, { seeds }),
  cancelExperiment: (id) => call("POST", `/api/experiments/${encodeURIComponent(id)}/cancel`),
  removeExperiment: (id) => call("DELETE", `/api/experiments/${encodeURIComponent(id)}`),
  /** kind: "runs", "summary" or "comparisons" (the last two follow `query`). */
  experimentCsvUrl: (id, kind, query = {}) =>
    `/api/experiments/${encodeURIComponent(id)}/${kind}.csv${queryString(query)}`,
  losses: () => call("GET", "/api/losses"),
  models: () => call("GET", "/api/models"),
};

/** "?metric=testAcc&point=lastK&k=3": the set values only, "" when none. */
export function queryString(query) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}

/**
 * Splits the API's validation message ("epochs: Too big: …; lr: …") into
 * {field: message}; problems not tied to one top-level field go under "".
 */
export function fieldErrors(message, fields) {
  const out = {};
  for (const part of String(message).split("; ")) {
    const m = /^([A-Za-z][\w.]*): (.*)$/.exec(part);
    const field = m && fields.has(m[1]) ? m[1] : "";
    const text = field ? m[2] : part;
    out[field] = out[field] ? `${out[field]}; ${text}` : text;
  }
  return out;
}
