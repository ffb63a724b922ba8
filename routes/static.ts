// The dashboard: static/ served at "/", plus Chart.js from its installed npm
// package at /vendor/ (no CDN, so it works offline). Only explicit path shapes
// are routed, so mounting this at "/" can never shadow /api/*.
import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { err, plain, router, text } from "./contract/route.ts";

const STATIC_DIR = new URL("../static/", import.meta.url);

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  map: "application/json; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
};

/** Chart.js files the page may load, by the name served under /vendor/. */
const VENDOR = new Set(["chart.umd.min.js", "chart.umd.min.js.map"]);

/** Other npm files the page loads: served name → [package, path inside it]. */
const VENDOR_NPM: Record<string, [string, string]> = {
  // Zoom and pan for the figures; Hammer.js gives it drag-to-pan and pinch.
  "chartjs-plugin-zoom.min.js": ["chartjs-plugin-zoom", "dist/chartjs-plugin-zoom.min.js"],
  "hammer.min.js": ["hammerjs", "hammer.min.js"],
};

/** The installed folder of an npm package named in deno.json (see chartJsDist). */
export function npmPackageDir(pkg: string): URL {
  const entry = import.meta.resolve(pkg);
  const at = entry.lastIndexOf(`/node_modules/${pkg}/`);
  if (at < 0) throw new Error(`unexpected ${pkg} location: ${entry}`);
  return new URL(`${entry.slice(0, at)}/node_modules/${pkg}/`);
}

/**
 * The chart.js package's dist/ folder. `import.meta.resolve` follows the
 * package's "exports" into deno's node_modules dir (created by `deno run`
 * because "nodeModulesDir" is "auto" and this module graph imports npm
 * packages); the UMD build sits beside the ESM entry point there.
 */
export function chartJsDist(): URL {
  const entry = import.meta.resolve("chart.js");
  const at = entry.lastIndexOf("/node_modules/chart.js/");
  if (at < 0) throw new Error(`unexpected chart.js location: ${entry}`);
  return new URL(entry.slice(0, at) + "/node_modules/chart.js/dist/");
}

async function send(url: URL, name: string, cacheControl: string): Promise<Response | null> {
  if (name.length > MAX_NAME) return null;
  const ext = name.slice(name.lastIndexOf(".") + 1);
  const type = TYPES[ext];
  if (!type) return null;
  try {
    const body = await Deno.readFile(url);
    return new Response(body, {
      headers: {
        "content-type": type,
        "cache-control": cacheControl,
        "x-content-type-options": "nosniff",
      },
    });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.IsADirectory) return null;
    throw e;
  }
}

export const staticRoutes: OpenAPIHono = router();

// Revalidate every load: the page has no build step and no hashed names.
const NO_CACHE = "no-cache";

const tags = ["dashboard"];
const FILE_TYPES = [...new Set(Object.values(TYPES).map((t) => t.split(";")[0]))];
/** A file's response: its type from its extension. */
const file = (description: string) => ({
  description,
  content: Object.fromEntries(FILE_TYPES.map((t) => [t, { schema: { type: "string" as const } }])),
});
const missing = err("No such file");

plain(staticRoutes, {
  method: "get",
  path: "/",
  tags,
  summary: "The dashboard",
  responses: { 200: text("text/html", "index.html"), 404: missing },
}, async (c) => {
  return (await send(new URL("index.html", STATIC_DIR), "index.html", NO_CACHE)) ?? c.notFound();
});

// One path segment of plain characters: no "..", no hidden files.
const FILE_RE = "[A-Za-z0-9_-][A-Za-z0-9_.-]*\\.[a-z]+";
/** Longer names are 404 before the file system sees them (a 300-character one was a 500). */
const MAX_NAME = 100;
const fileParam = z.object({
  file: z.string().regex(new RegExp(`^${FILE_RE}$`)).describe("A file name"),
});

plain(staticRoutes, {
  method: "get",
  path: "/{file}",
  tags,
  summary: "A dashboard file (static/)",
  request: { params: fileParam },
  responses: { 200: file("The file, typed by its extension"), 404: missing },
}, async (c) => {
  const file = c.req.param("file")!;
  return (await send(new URL(file, STATIC_DIR), file, NO_CACHE)) ?? c.notFound();
}, `/:file{${FILE_RE}}`);

plain(staticRoutes, {
  method: "get",
  path: "/js/{file}",
  tags,
  summary: "A dashboard script (static/js/)",
  request: { params: fileParam },
  responses: { 200: file("The file, typed by its extension"), 404: missing },
}, async (c) => {
  const file = c.req.param("file")!;
  return (await send(new URL(`js/${file}`, STATIC_DIR), file, NO_CACHE)) ?? c.notFound();
}, `/js/:file{${FILE_RE}}`);

plain(staticRoutes, {
  method: "get",
  path: "/vendor/{file}",
  tags,
  summary: "Chart.js and its plug-ins, from their npm packages",
  request: { params: z.object({ file: z.string() }) },
  responses: {
    200: file("The file"),
    404: missing,
    503: text("text/plain", "The npm package is not installed on the server"),
  },
}, async (c) => {
  const file = c.req.param("file")!;
  const npm = Object.hasOwn(VENDOR_NPM, file) ? VENDOR_NPM[file] : null;
  if (npm) {
    let url: URL;
    try {
      url = new URL(npm[1], npmPackageDir(npm[0]));
    } catch (e) {
      return c.text(`${npm[0]} is not installed: ${(e as Error).message}`, 503);
    }
    return (await send(url, file, "public, max-age=86400")) ??
      c.text(`${npm[0]} file missing: ${url.pathname}`, 503);
  }
  if (!VENDOR.has(file)) return c.notFound();
  // The log says where it looked; the response names no server path.
  let dist: URL;
  try {
    dist = chartJsDist();
  } catch (e) {
    console.error(`GET /vendor/${file}: ${(e as Error).message}`);
    return c.text("chart.js is not installed (run `deno install` on the server)", 503);
  }
  const res = await send(new URL(file, dist), file, "public, max-age=86400");
  if (!res) console.error(`GET /vendor/${file}: missing ${new URL(file, dist).pathname}`);
  return res ?? c.text(`chart.js file ${file} is missing on the server`, 503);
});
