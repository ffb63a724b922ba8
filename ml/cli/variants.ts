// The CLI's reading of a condition stage's schema (a oneOf of its kinds, each
// {discriminator, one value}) as one DISC:VALUE flag: --noise symmetric:0.4,
// --noise human:worse, --imbalance exp:100. A new kind needs nothing here.
import type { OptionSpec } from "./options.ts";

type Json = Record<string, unknown>;

/** The discriminator's values in a variant's JSON Schema property, or null. */
const constsOf = (p: Json | undefined) =>
  (p?.enum ?? (p?.const !== undefined ? [p.const] : null)) as string[] | null;

/**
 * A oneOf of objects {by: const or enum, one other key}, with `by` the key that
 * is a constant in every variant, else null.
 */
export function variantsOf(oneOf: Json[]): { by: string; variants: Variant[] } | null {
  const first = oneOf[0]?.properties as Record<string, Json> | undefined;
  const by = Object.keys(first ?? {}).find((k) =>
    oneOf.every((v) => constsOf((v.properties as Record<string, Json> | undefined)?.[k]))
  );
  if (!by) return null;
  const out: Variant[] = [];
  for (const v of oneOf) {
    const props = v.properties as Record<string, Json>;
    const keys = Object.keys(props);
    if (keys.length !== 2) return null;
    const key = keys.find((k) => k !== by)!;
    const value = props[key];
    out.push({
      kinds: constsOf(props[by])!,
      key,
      numeric: value.type === "number" || value.type === "integer",
      schema: value,
    });
  }
  return { by, variants: out };
}

export type Variant = NonNullable<OptionSpec["variants"]>[number];
