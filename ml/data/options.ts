/** How a data source is loaded (shared by every source; mod.ts re-exports it). */
export interface LoadOptions {
  /** Where downloads and decoded data are cached. */
  cacheDir: string;
  /** Human-readable progress lines (downloads, decoding, cache hits). */
  onProgress?: (msg: string) => void;
  signal?: AbortSignal;
}
