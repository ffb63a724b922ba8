// What an image-folder source holds: the files under its train/ and test/
// folders (and one wrapping folder, "mydata/train/..."), read from a directory
// or an archive. Symlinks are followed only while they stay inside the data
// set's folder; anything else is refused in words before any of it is read.
import { readTar } from "./tar.ts";

/** A file of the source: its "/"-separated path relative to the root, and its bytes. */
export interface SourceFile {
  path: string;
  data: Uint8Array;
}

/** Everything read from a source: files and the directories seen (for empty classes). */
export interface SourceTree {
  files: SourceFile[];
  dirs: string[];
}

const SPLITS = new Set(["train", "test"]);

/** OS and archiver leftovers: hidden files, macOS resource forks, Windows thumbnails. */
export function isJunk(path: string): boolean {
  return path.split("/").some((part) =>
    part.startsWith(".") || part === "__MACOSX" || /^(thumbs\.db|desktop\.ini)$/i.test(part)
  );
}

export const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

interface Entry {
  path: string;
  /** Its real path (links resolved). */
  real: string;
  isDirectory: boolean;
  isFile: boolean;
}

/** Why an OS error on `path` happened, in words (never a bare "os error 40"). */
function describe(e: unknown, link: boolean): string {
  if (e instanceof Deno.errors.FilesystemLoop) return "is a symlink loop";
  if (e instanceof Deno.errors.NotFound) {
    return link ? "is a broken symlink (its target does not exist)" : "vanished while being read";
  }
  if (e instanceof Deno.errors.PermissionDenied || e instanceof Deno.errors.NotCapable) {
    return "cannot be read (permission denied)";
  }
  return `cannot be read: ${(e as Error).message}`;
}

/**
 * Reads a directory's train/ and test/ trees (sorted, so the hash of what is
 * read does not depend on listing order). Hidden files and other junk are not
 * read; nor is anything outside train/ and test/, so a wrong path (a system
 * folder, say) fails at once with "no train/ folder" instead of being read whole.
 */
export async function readDirectoryTree(
  root: string,
  signal?: AbortSignal,
  label = root,
): Promise<SourceTree> {
  const tree: SourceTree = { files: [], dirs: [] };
  const fail = (path: string, why: string) => new Error(`${label}: ${path} ${why}`);
  const realRoot = await Deno.realPath(root);
  const prefix = realRoot.endsWith("/") ? realRoot : `${realRoot}/`;
  const inside = (p: string) => p === realRoot || p.startsWith(prefix);

  /** A folder's entries but junk, by name. */
  async function entries(rel: string): Promise<Deno.DirEntry[]> {
    signal?.throwIfAborted();
    const out: Deno.DirEntry[] = [];
    try {
      for await (const e of Deno.readDir(rel ? `${root}/${rel}` : root)) {
        if (!isJunk(e.name)) out.push(e);
      }
    } catch (err) {
      throw fail(rel ? `${rel}/` : "the folder", describe(err, false));
    }
    return out.sort((a, b) => byName(a.name, b.name));
  }

  /**
   * A folder's entries (those `only` keeps), symlinks resolved, and refused when
   * they leave the root.
   */
  async function list(rel: string, real: string, only = (_: string) => true): Promise<Entry[]> {
    const out: Entry[] = [];
    for (const e of await entries(rel)) {
      if (!only(e.name)) continue;
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (!e.isSymlink) {
        out.push({ path, real: `${real}/${e.name}`, isDirectory: e.isDirectory, isFile: e.isFile });
        continue;
      }
      let target: string, info: Deno.FileInfo;
      try {
        target = await Deno.realPath(`${root}/${path}`);
      } catch (err) {
        throw fail(path, describe(err, true));
      }
      if (!inside(target)) {
        throw fail(
          path,
          "is a symlink to outside the data set's folder (links may point only within it)",
        );
      }
      try {
        info = await Deno.stat(target);
      } catch (err) {
        throw fail(path, describe(err, true));
      }
      out.push({ path, real: target, isDirectory: info.isDirectory, isFile: info.isFile });
    }
    return out;
  }

  /** Everything under a split folder; `ancestors` are the real paths above, to catch link loops. */
  async function walk(dir: Entry, ancestors: Set<string>) {
    tree.dirs.push(dir.path);
    const below = new Set(ancestors).add(dir.real);
    for (const e of await list(dir.path, dir.real)) {
      if (e.isDirectory) {
        if (below.has(e.real)) {
          throw fail(e.path, "is a symlink loop (it links to a folder that contains it)");
        }
        await walk(e, below);
      } else if (e.isFile) {
        try {
          tree.files.push({ path: e.path, data: await Deno.readFile(`${root}/${e.path}`) });
        } catch (err) {
          throw fail(e.path, describe(err, false));
        }
      }
    }
  }

  // train/ and test/ at the root, or in its only folder (a wrapper decodeImageFolder strips).
  let level = { path: "", real: realRoot };
  const top = await entries("");
  if (top.length === 1 && !SPLITS.has(top[0].name)) {
    const [wrapper] = await list("", realRoot);
    if (wrapper.isDirectory) {
      tree.dirs.push(wrapper.path);
      level = wrapper;
    }
  }
  for (const e of await list(level.path, level.real, (name) => SPLITS.has(name))) {
    if (e.isDirectory) await walk(e, new Set([realRoot]));
  }
  tree.files.sort((a, b) => byName(a.path, b.path));
  tree.dirs.sort(byName);
  return tree;
}

/** A member name that would leave the archive's root: absolute, or with a ".." part. */
const leavesRoot = (name: string) => name.startsWith("/") || name.split("/").includes("..");

/** Reads an archive's members, keeping the bytes of everything but junk. */
export async function readArchiveTree(
  path: string,
  label: string,
  signal?: AbortSignal,
): Promise<SourceTree> {
  const tree: SourceTree = { files: [], dirs: [] };
  for await (const e of readTar(path, label, { want: (name) => !isJunk(name), signal })) {
    if (leavesRoot(e.name)) {
      throw new Error(
        `${label}: member ${e.name} has a path that leaves the archive's root (absolute or "..")`,
      );
    }
    if (e.type === "directory") tree.dirs.push(e.name);
    else if (e.data) tree.files.push({ path: e.name, data: e.data });
    else if (e.type === "other" && !isJunk(e.name)) {
      // A link (or device) member: never followed, and never dropped silently.
      throw new Error(
        `${label}: member ${e.name} is a link or special file; images must be regular files`,
      );
    }
  }
  return tree;
}
