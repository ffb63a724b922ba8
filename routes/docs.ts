// The API's own description: GET /api/openapi.json (OpenAPI 3.1, generated
// from the routes' contracts) and GET /api/docs, an interactive reference
// (Swagger UI from its npm package, so it works offline; no CDN). Behind the
// token like every other route; a browser without the cookie is sent to /login.
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { z } from "zod";
import { err, plain, router, text } from "./contract/route.ts";
import { npmPackageDir } from "./static.ts";

/** Swagger UI's files the page loads, served under /api/docs/. */
const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui.css.map": "application/json; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "swagger-ui-bundle.js.map": "application/json; charset=utf-8",
};

// Relative URLs, so the page works behind a proxy that mounts the service under a prefix.
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>lossbench API reference</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script src="docs/init.js"></script>
</body>
</html>
`;

// validatorUrl: null keeps Swagger UI from sending the document to validator.swagger.io.
const INIT = `window.ui = SwaggerUIBundle({
  url: "openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
`;

const HEADERS = { "cache-control": "no-cache", "x-content-type-options": "nosniff" };

/** The routes; `document` answers the OpenAPI document for a request (its cookie name). */
export function docsRoutes(document: (c: Context) => unknown): OpenAPIHono {
  const r = router();
  const tags = ["service"];

  plain(r, {
    method: "get",
    path: "/api/openapi.json",
    tags,
    summary: "This API's OpenAPI 3.1 document",
    responses: {
      200: {
        description: "The document",
        content: { "application/json": { schema: z.looseObject({ openapi: z.string() }) } },
      },
    },
  }, (c) => c.json(document(c)));

  plain(r, {
    method: "get",
    path: "/api/docs",
    tags,
    summary: "The interactive API reference (Swagger UI)",
    responses: { 200: text("text/html", "The reference page") },
  }, (c) => c.html(PAGE, 200, { ...HEADERS, "x-frame-options": "DENY" }));

  plain(r, {
    method: "get",
    path: "/api/docs/{file}",
    tags,
    summary: "The reference page's files",
    request: { params: z.object({ file: z.string() }) },
    responses: {
      200: {
        description: "The file",
        content: {
          "text/javascript": { schema: { type: "string" } },
          "text/css": { schema: { type: "string" } },
          "application/json": { schema: z.unknown() },
        },
      },
      404: err("No such file"),
      503: text("text/plain", "swagger-ui-dist is not installed on the server"),
    },
  }, async (c) => {
    const file = c.req.param("file")!;
    if (file === "init.js") {
      return c.body(INIT, 200, { ...HEADERS, "content-type": "text/javascript; charset=utf-8" });
    }
    if (!Object.hasOwn(ASSETS, file)) return c.notFound();
    try {
      const body = await Deno.readFile(new URL(file, npmPackageDir("swagger-ui-dist")));
      return c.body(body, 200, {
        "content-type": ASSETS[file],
        "cache-control": "public, max-age=86400",
        "x-content-type-options": "nosniff",
      });
    } catch (e) {
      // The log says where it looked; the response names no server path.
      console.error(`GET /api/docs/${file}: ${(e as Error).message}`);
      return c.text("swagger-ui-dist is not installed (run `deno install` on the server)", 503);
    }
  });

  return r;
}
