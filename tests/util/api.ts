// One JSON request to a test server: the body sent as JSON (a string as is),
// the answer read as JSON where it parses and as text where it doesn't.

/** `method` `path` (a leading "/" is dropped) against `base`, the server's URL ending in "/". */
export async function api(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(base + path.replace(/^\//, ""), {
    method,
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: res.status, json, text, headers: res.headers };
}
