// A test double for a full disk: preloaded into the server
// (`deno run --preload tests/util/failing_kv.ts main.ts`), it wraps
// Deno.openKv so that every KV write fails while the file named by
// LOSSBENCH_TEST_KV_FAIL exists, with that file's text as the error message
// (as SQLite reports it: "database or disk is full", "database is locked").
// Reads keep working, as they do on a full disk. Delete the file and writes
// succeed again. A second line `min-bytes N` fails only writes of at least N
// bytes of values, as a nearly full disk takes a status change but not a
// checkpoint.
//
//   await Deno.writeTextFile(flag, "database or disk is full");   // fail
//   await Deno.writeTextFile(flag, "database or disk is full\nmin-bytes 20000");
//   await Deno.remove(flag);                                       // recover

const flag = Deno.env.get("LOSSBENCH_TEST_KV_FAIL");

/** Throws the flag file's message while it exists (for writes of at least its min-bytes). */
function maybeFail(bytes: number): void {
  if (!flag) return;
  let text: string;
  try {
    text = Deno.readTextFileSync(flag);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  const [first, ...rest] = text.split("\n");
  const min = Number(rest.join(" ").match(/min-bytes (\d+)/)?.[1] ?? 0);
  if (bytes < min) return;
  throw new TypeError(first.trim() || "database or disk is full");
}

/** About how many bytes a value takes (exact for the checkpoints' Uint8Arrays). */
function sizeOf(v: unknown): number {
  if (v instanceof Uint8Array) return v.byteLength;
  try {
    return JSON.stringify(v)?.length ?? 0;
  } catch {
    return 0;
  }
}

const WRITES = new Set(["set", "delete", "enqueue"]);

function wrapAtomic(op: Deno.AtomicOperation): Deno.AtomicOperation {
  let bytes = 0;
  const proxy: Deno.AtomicOperation = new Proxy(op, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target);
      if (typeof v !== "function") return v;
      if (prop === "commit") {
        return () => {
          maybeFail(bytes);
          return v.call(target);
        };
      }
      // Chained calls (op.set(...).check(...)) must return the proxy.
      return (...args: unknown[]) => {
        if (prop === "set") bytes += sizeOf(args[1]);
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
          maybeFail(prop === "set" ? sizeOf(args[1]) : 0);
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
