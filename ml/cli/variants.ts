// The CLI's reading of a oneOf schema (label noise's kinds) as one KIND:VALUE flag.
import type { OptionSpec } from "./options.ts";

type Json = Record<string, unknown>;

/** A oneOf of objects {kind: enum or const, one other key}, else null. */
export function variantsOf(oneOf: Json[]): OptionSpec["variants"] | null {
  const out: NonNullable<OptionSpec["variants"]> = [];
  for (const v of oneOf) {
    const props = v.properties as Record<string, Json> | undefined;
    const keys = Object.keys(props ?? {});
    if (!props?.kind || keys.length !== 2) return null;
    const kinds =
      (props.kind.enum ?? (props.kind.const !== undefined ? [props.kind.const] : null)) as
        | string[]
        | null;
    const key = keys.find((k) => k !== "kind")!;
    if (!kinds) return null;
    out.push({
      kinds,
      key,
      numeric: props[key].type === "number" || props[key].type === "integer",
    });
  }
  return out;
}
