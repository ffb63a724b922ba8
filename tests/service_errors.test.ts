// Domain errors get their HTTP status in one place (routes/errors.ts); any
// other error is a bug: a logged 500, never a 400.
import { Hono } from "hono";
import { errorHandler } from "../routes/errors.ts";
import {
  ConflictError,
  GridTooLargeError,
  NotFoundError,
  QueueFullError,
  SeedsTakenError,
  ValidationError,
} from "../service/errors.ts";
import { assert, assertEquals } from "./util/assert.ts";

Deno.test("domain errors map to their status; anything else is a 500", async () => {
  const cases: [Error, number, string][] = [
    [new ValidationError("seeds: 1 is listed twice", "seeds"), 400, "seeds: 1 is listed twice"],
    [new GridTooLargeError("the limit is 200 runs", "seeds"), 400, "the limit is 200 runs"],
    [new NotFoundError('no experiment with id "x"'), 404, "no experiment"],
    [new ConflictError("cancel it first"), 409, "cancel it first"],
    [new SeedsTakenError("seeds: 2 already in experiment", "seeds"), 409, "already in"],
    [new QueueFullError(10), 429, "the queue is full"],
    [new Error("x.map is not a function"), 500, "internal error: x.map is not a function"],
    [new TypeError("Cannot read properties of undefined"), 500, "internal error"],
  ];
  const logged: unknown[] = [];
  const error = console.error;
  console.error = (...a: unknown[]) => logged.push(a);
  try {
    for (const [e, status, needle] of cases) {
      const app = new Hono();
      app.onError(errorHandler());
      app.get("/", () => {
        throw e;
      });
      const res = await app.request("/");
      const body = await res.json();
      assertEquals(res.status, status, JSON.stringify(body));
      assert(body.error.includes(needle), `"${body.error}" lacks "${needle}"`);
    }
  } finally {
    console.error = error;
  }
  // Only the bugs are logged as errors.
  assertEquals(logged.length, 2);
});
