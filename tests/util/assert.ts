// Minimal assertions (the Deno standard library is out of reach here).
export class AssertionError extends Error {
  override name = "AssertionError";
}

export function assert(cond: unknown, msg = "assertion failed"): asserts cond {
  if (!cond) throw new AssertionError(msg);
}

export function assertEquals<T>(actual: T, expected: T, msg?: string): void {
  if (!deepEqual(actual, expected)) {
    const show = (v: unknown) => {
      const s = Deno.inspect(v, { depth: 4, iterableLimit: 20 });
      return s.length > 2000 ? s.slice(0, 2000) + "…" : s;
    };
    throw new AssertionError(
      `${msg ? msg + ": " : ""}expected ${show(expected)}, got ${show(actual)}`,
    );
  }
}

export function assertAlmostEquals(
  actual: number,
  expected: number,
  tol = 1e-7,
  msg?: string,
): void {
  if (!(Math.abs(actual - expected) <= tol)) {
    throw new AssertionError(
      `${msg ? msg + ": " : ""}expected ${expected} ± ${tol}, got ${actual}`,
    );
  }
}

export async function assertRejects(fn: () => Promise<unknown>, includes?: string): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    const err = e as Error;
    if (includes && !String(err?.message).includes(includes)) {
      throw new AssertionError(`expected error including "${includes}", got "${err?.message}"`);
    }
    return err;
  }
  throw new AssertionError("expected a rejection");
}

export function assertThrows(fn: () => unknown, includes?: string): Error {
  try {
    fn();
  } catch (e) {
    const err = e as Error;
    if (includes && !String(err?.message).includes(includes)) {
      throw new AssertionError(`expected error including "${includes}", got "${err?.message}"`);
    }
    return err;
  }
  throw new AssertionError("expected an exception");
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    const x = a as unknown as ArrayLike<number>, y = b as unknown as ArrayLike<number>;
    if (x.length !== y.length || a.constructor !== b.constructor) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) =>
    deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])
  );
}

/** max |a − b| over max |b|: an error on the reference's scale (so tiny entries don't dominate). */
export function scaledError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  assert(actual.length === expected.length, `length ${actual.length} ≠ ${expected.length}`);
  let scale = 0, err = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]));
    err = Math.max(err, Math.abs(actual[i] - expected[i]));
  }
  return err / (scale || 1);
}
