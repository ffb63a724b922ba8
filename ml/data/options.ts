import type { JpegDecoderName } from "./jpeg.ts";

/** How a data source is loaded (shared by every source; mod.ts re-exports it). */
export interface LoadOptions {
  /**
   * The JPEG decoder for image folders (default libjpeg-turbo, PIL's pixels);
   * "jpeg-js" only to check runs recorded with it. See jpeg.ts.
   */
  jpegDecoder?: JpegDecoderName;
  /** Where downloads and decoded data are cached. */
  cacheDir: string;
  /** Human-readable progress lines (downloads, decoding, cache hits). */
  onProgress?: (msg: string) => void;
  signal?: AbortSignal;
  /**
   * The name errors give the source instead of its path or URL. The service
   * sets it (the data set's registered name) because error texts reach API
   * responses, which must not show server paths; with it set, errors also say
   * "the data cache" rather than the cache's location. Unset (the CLI), errors
   * name the paths, which is what an operator at the console needs.
   */
  label?: string;
}

/** `path` for the console; `instead` when errors must not show server paths. */
export function showPath(opts: Pick<LoadOptions, "label">, path: string, instead: string): string {
  return opts.label === undefined ? path : instead;
}
