// A test double for a full disk: preloaded into the server
// (`deno run --preload tests/util/failing_kv.ts main.ts`), it wraps
// Deno.openKv so that every KV write fails while the file named by
// LOSSBENCH_TEST_KV_FAIL exists, with that file's text as the error message
// (as SQLite reports it: "database or disk is full", "database is locked").
// Reads keep working, as they do on a full disk. Delete the file and writes
// succeed again.
//
//   await Deno.writeTextFile(flag, "database or disk is full");   // fail
//   await Deno.remove(flag);                                       // recover

const flag = Deno.env.get("LOSSBENCH_TEST_KV_FAIL");

/** Throws the flag file's message while it exists. */
function maybeFail(): void {
  if (!flag) return;
  let message: string;
  try {
    message = Deno.readTextFileSync(flag).trim() || "database or disk is full";
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  throw new TypeError(message);
}

const WRITES = new Set(["set", "delete", "enqueue"]);

function wrapAtomic(op: Deno.AtomicOperation): Deno.AtomicOperation {
  const proxy: Deno.AtomicOperation = new Proxy(op, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target);
      if (typeof v !== "function") return v;
      if (prop === "commit") {
        return () => {
          maybeFail();
          return v.call(target);
        };
      }
      // Chained calls (op.set(...).check(...)) must return the proxy.
      return (...args: unknown[]) => {
        const r = v.apply(target, args);
        return r === target ? proxy : r;
      };
    },
  });
  return proxy;
}

export function wrapKv(kv: Deno.Kv): Deno.Kv {
  return new Proxy(kv, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target);
      if (typeof v !== "function") return v;
      if (prop === "atomic") return () => wrapAtomic(v.call(target));
      if (WRITES.has(prop as string)) {
        return (...args: unknown[]) => {
          maybeFail();
          return v.apply(target, args);
        };
      }
      return v.bind(target);
    },
  });
}

const openKv = Deno.openKv.bind(Deno);
Object.defineProperty(Deno, "openKv", {
  value: async (path?: string) => wrapKv(await openKv(path)),
  configurable: true,
  writable: true,
});
