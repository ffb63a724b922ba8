// Error texts that leave the server name no file-system paths: the log keeps
// the detail, a response gets the text with known paths and anything that
// looks like an absolute path replaced.

/** `text` with each of `known` (and its absolute form) and any other absolute path replaced. */
export function redactPaths(text: string, known: string[] = []): string {
  let out = text;
  const cwd = (() => {
    try {
      return Deno.cwd();
    } catch {
      return undefined;
    }
  })();
  const paths = new Set<string>();
  for (const p of known) {
    if (!p) continue;
    // A bare word ("cache") would also match ordinary text: only its absolute form is replaced.
    if (p.includes("/") && p.length > 2) paths.add(p);
    if (cwd && !p.startsWith("/") && !/^[a-z]+:/i.test(p)) {
      paths.add(`${cwd}/${p.replace(/^\.\//, "")}`);
    }
  }
  // Longest first, so a path is replaced before a prefix of it is.
  for (const p of [...paths].sort((a, b) => b.length - a.length)) out = out.split(p).join("…");
  // An absolute path after a space, quote, bracket, "=" or at the start ("file:///x" too).
  return out.replace(/(^|[\s"'`(\[=]|file:\/\/)\/(?!\/)[^\s"'`)\],;]*/g, "$1…");
}
