// Label sets: alternative labels for a data set's train images, each a named
// column of a CSV file (e.g. CIFAR-10N's human labels). Rows are keyed by
// `file` for image folders (the image's path in the set, "train/cat/0001.jpg",
// as Dataset.trainFiles names it) and by `index` (the position in the train
// split, the official order) for the binary release; a file may carry both.
// `clean`, if present, must equal the data set's own labels (it catches a file
// mapped to the wrong images) and is not a set; every other column is one.
// Labels are class names. A file that doesn't match its data set is refused as
// a whole, naming its first bad line.
import type { Dataset } from "../types.ts";

/** A label set's name (and any column's): letters, digits, _ and -. */
export const LABEL_SET_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Columns that are not label sets. */
export const KEY_COLUMNS = ["file", "index", "clean"] as const;

export interface LabelHeader {
  columns: string[];
  /** The label sets' names, in column order. */
  sets: string[];
}

/** Splits one CSV line (RFC 4180 quotes; no line breaks inside a field). */
export function csvFields(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let field = "";
    if (line[i] === '"') {
      for (i++; i < line.length; i++) {
        if (line[i] === '"' && line[i + 1] === '"') field += line[i++];
        else if (line[i] === '"') break;
        else field += line[i];
      }
      i++; // the closing quote
    } else {
      const end = line.indexOf(",", i);
      field = line.slice(i, end < 0 ? line.length : end);
      i = end < 0 ? line.length : end;
    }
    out.push(field.trim());
    if (line[i] !== ",") return out;
    i++;
  }
}

/** Checks a label file's header line; throws naming what is wrong. */
export function parseLabelHeader(line: string): LabelHeader {
  const columns = csvFields(line.replace(/^\uFEFF/, "").replace(/\r$/, ""));
  const seen = new Set<string>();
  for (const c of columns) {
    if (!LABEL_SET_NAME.test(c)) {
      throw new Error(`header: column ${JSON.stringify(c)} is not a name (letters, digits, _ -)`);
    }
    if (seen.has(c)) throw new Error(`header: column "${c}" appears twice`);
    seen.add(c);
  }
  if (!seen.has("file") && !seen.has("index")) {
    throw new Error('header: no key column (a "file" or an "index" column)');
  }
  const sets = columns.filter((c) => !(KEY_COLUMNS as readonly string[]).includes(c));
  if (sets.length === 0) throw new Error("header: no label set column besides file, index, clean");
  return { columns, sets };
}

/** The first line of a file, read without reading the whole file. */
export function readHeaderLineSync(path: string): string {
  using f = Deno.openSync(path);
  const buf = new Uint8Array(4096);
  let text = "";
  for (let n; (n = f.readSync(buf)) !== null;) {
    text += new TextDecoder().decode(buf.subarray(0, n), { stream: true });
    const nl = text.indexOf("\n");
    if (nl >= 0) return text.slice(0, nl);
    if (text.length > 1 << 16) throw new Error("header: longer than 64 KiB");
  }
  return text;
}

/**
 * The label sets of `text` (a label file) for `data`'s train split, each aligned
 * with `data.train.labels`. Throws, naming the first bad line (1 is the header):
 * a missing or unknown key, a duplicate, an unknown class, a `clean` label that
 * is not the data set's, a line of the wrong width, or a train image without a row.
 */
export function parseLabelFile(text: string, data: Dataset): Record<string, Uint8Array> {
  const lines = text.split("\n");
  const { columns, sets } = parseLabelHeader(lines[0]);
  const n = data.train.count;
  const byFile = data.trainFiles;
  const keyName = byFile ? "file" : "index";
  const keyAt = columns.indexOf(keyName);
  if (keyAt < 0) {
    throw new Error(
      byFile
        ? 'header: no "file" column (an image folder\'s rows are keyed by file)'
        : 'header: no "index" column (this data set\'s rows are keyed by train index)',
    );
  }
  const position = byFile ? new Map(byFile.map((f, i) => [f, i])) : null;
  const classAt = new Map(data.classes.map((c, i) => [c, i]));
  const setAt = sets.map((s) => columns.indexOf(s));
  const cleanAt = columns.indexOf("clean");
  const out = sets.map(() => new Uint8Array(n));
  const lineOf = new Int32Array(n).fill(-1);
  const classOf = (where: string, name: string, value: string): number => {
    const c = classAt.get(value);
    if (c === undefined) {
      throw new Error(
        `${where}: ${name}: unknown class ${JSON.stringify(value.slice(0, 64))} ` +
          `(classes: ${data.classes.join(", ")})`,
      );
    }
    return c;
  };
  for (let l = 1; l < lines.length; l++) {
    const line = lines[l].replace(/\r$/, "");
    if (line.trim() === "") continue;
    const where = `line ${l + 1}`;
    const f = csvFields(line);
    if (f.length !== columns.length) {
      throw new Error(`${where}: ${f.length} fields, the header has ${columns.length}`);
    }
    const key = f[keyAt];
    if (key === "") throw new Error(`${where}: no ${keyName}`);
    let i: number | undefined;
    if (position) i = position.get(key);
    else if (/^\d+$/.test(key) && Number(key) < n) i = Number(key);
    if (i === undefined) {
      throw new Error(
        `${where}: ${keyName} ${JSON.stringify(key.slice(0, 200))} is not ` +
          (byFile ? "a train image of the data set" : `a train index (0..${n - 1})`),
      );
    }
    if (lineOf[i] >= 0) {
      throw new Error(`${where}: ${keyName} ${JSON.stringify(key)} repeats line ${lineOf[i]}`);
    }
    lineOf[i] = l + 1;
    if (cleanAt >= 0 && classOf(where, "clean", f[cleanAt]) !== data.train.labels[i]) {
      throw new Error(
        `${where}: clean: ${JSON.stringify(f[cleanAt])}, but the data set labels ` +
          `${keyName} ${JSON.stringify(key)} "${data.classes[data.train.labels[i]]}"`,
      );
    }
    for (let s = 0; s < sets.length; s++) out[s][i] = classOf(where, sets[s], f[setAt[s]]);
  }
  const missing = lineOf.indexOf(-1);
  if (missing >= 0) {
    throw new Error(
      `train ${byFile ? `image "${byFile[missing]}"` : `index ${missing}`} has no row ` +
        `(every train image needs one)`,
    );
  }
  return Object.fromEntries(sets.map((s, k) => [s, out[k]]));
}

/** The fraction of samples whose label in `set` differs from `labels`. */
export function disagreement(set: Uint8Array, labels: Uint8Array): number {
  let d = 0;
  for (let i = 0; i < labels.length; i++) if (set[i] !== labels[i]) d++;
  return labels.length === 0 ? 0 : d / labels.length;
}
