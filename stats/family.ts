// Which comparisons share a multiple-testing correction. A family is a set of questions asked
// together: by default the losses compared within one condition and model (comparing CE under
// noise with GCE on clean data answers nothing and costs power); optionally every cell against a
// declared control, or every pair of cells as one family.

export type FamilyKind = "losses" | "control" | "all";

/** A statistics option that names nothing in the experiment (a control, a claim's cell): a 400. */
export class StatsOptionError extends Error {}

export interface FamilySpec {
  kind: FamilyKind;
  /** For kind "control": a cell key, a cell label, or a loss name (its cell in each group). */
  control?: string;
}

export interface FamilyCell {
  key: string;
  label: string;
  /** Cells compared within a family share this (e.g. condition · model); "" when one group. */
  group?: string;
  loss?: string;
}

export interface PlannedPair {
  /** Indices into the cells; A − B is the difference reported (A is the non-control cell). */
  i: number;
  j: number;
  family: string;
}

export interface Family {
  name: string;
  kind: FamilyKind;
  size: number;
  correction: "Holm";
}

/** More comparisons than this in one answer is a 400: each undecided one solves for its power. */
export const MAX_COMPARISONS = 2000;

/** The planned comparisons and their families, in cell order. */
export function planFamilies(
  cells: readonly FamilyCell[],
  spec: FamilySpec = { kind: "losses" },
): { pairs: PlannedPair[]; families: Family[] } {
  const groups = new Map<string, number[]>();
  cells.forEach((c, i) => {
    const g = spec.kind === "all" ? "" : c.group ?? "";
    groups.set(g, [...(groups.get(g) ?? []), i]);
  });
  const pairs: PlannedPair[] = [];
  const families: Family[] = [];
  if (spec.kind === "control" && !spec.control) {
    throw new StatsOptionError("family control needs `control`");
  }
  let controlFound = false;
  for (const [group, idx] of groups) {
    let name: string;
    const before = pairs.length;
    if (spec.kind === "control") {
      const ctl = idx.find((i) => isControl(cells[i], spec.control!));
      if (ctl === undefined) continue;
      controlFound = true;
      name = `against ${cells[ctl].label}${group ? ` within ${group}` : ""}`;
      for (const i of idx) if (i !== ctl) pairs.push({ i, j: ctl, family: name });
    } else {
      name = spec.kind === "all"
        ? "all pairs of cells"
        : `losses within ${group || "the experiment"}`;
      for (let a = 0; a < idx.length; a++) {
        for (let b = a + 1; b < idx.length; b++) pairs.push({ i: idx[a], j: idx[b], family: name });
      }
    }
    if (pairs.length > before) {
      families.push({ name, kind: spec.kind, size: pairs.length - before, correction: "Holm" });
    }
  }
  if (pairs.length > MAX_COMPARISONS) {
    throw new StatsOptionError(
      `${cells.length} cells make ${pairs.length} comparisons in family "${spec.kind}"; the limit ` +
        `is ${MAX_COMPARISONS}: compare against a control (family=control) or within groups`,
    );
  }
  if (spec.kind === "control" && !controlFound) {
    throw new StatsOptionError(
      `no cell matches the control "${spec.control}" (a cell key, label or loss)`,
    );
  }
  return { pairs, families };
}

function isControl(c: FamilyCell, control: string): boolean {
  return c.key === control || c.label === control || c.loss === control;
}
