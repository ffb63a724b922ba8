// PNG and JPEG: recognised by magic bytes, probed from their headers (size and
// whether they are grayscale, so a whole set can be sized before decoding),
// and decoded into 8-bit HWC pixels: PNG with fast-png, JPEG with the given
// decoder (./jpeg.ts). Both give exactly PIL's pixels (tests/decode_pil.test.ts).
import { convertIndexedToRgb, decode as decodePng } from "fast-png";
import type { JpegDecoder } from "./jpeg.ts";

export type ImageFormat = "png" | "jpeg";

export interface ImageInfo {
  format: ImageFormat;
  width: number;
  height: number;
  /** Stored as gray (PNG color type 0/4, one-component JPEG). */
  gray: boolean;
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function sniffFormat(bytes: Uint8Array): ImageFormat | null {
  if (bytes.length >= 8 && PNG_MAGIC.every((b, i) => bytes[i] === b)) return "png";
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return "jpeg";
  }
  return null;
}

/** Reads size and gray-ness from the header; throws if the header is malformed. */
export function probeImage(bytes: Uint8Array): ImageInfo {
  const format = sniffFormat(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (format === "png") {
    // IHDR is always the first chunk: length(4) "IHDR"(4) width height depth colorType.
    if (bytes.length < 33 || String.fromCharCode(...bytes.subarray(12, 16)) !== "IHDR") {
      throw new Error("PNG header is missing its IHDR chunk");
    }
    const colorType = bytes[25];
    return {
      format,
      width: view.getUint32(16),
      height: view.getUint32(20),
      gray: colorType === 0 || colorType === 4,
    };
  }
  if (format === "jpeg") {
    // Walk the marker segments up to the first start-of-frame (SOFn).
    let i = 2;
    while (i + 4 <= bytes.length) {
      if (bytes[i] !== 0xff) throw new Error(`JPEG marker expected at byte ${i}`);
      const marker = bytes[i + 1];
      if (marker === 0xff) {
        i++; // fill byte
        continue;
      }
      if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9)) {
        i += 2; // markers without a length
        continue;
      }
      const len = view.getUint16(i + 2);
      const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 &&
        marker !== 0xcc;
      if (isSof) {
        if (i + 10 > bytes.length) break;
        return {
          format,
          height: view.getUint16(i + 5),
          width: view.getUint16(i + 7),
          gray: bytes[i + 9] === 1,
        };
      }
      i += 2 + len;
    }
    throw new Error("JPEG has no frame header (truncated?)");
  }
  throw new Error("not a PNG or JPEG file");
}

/**
 * Decodes into `out` (width·height·channels bytes, HWC). With channels 3, gray
 * is expanded; with channels 1 the image must be gray. Alpha is dropped (as PIL's
 * convert("RGB") does).
 */
export function decodeImageInto(
  bytes: Uint8Array,
  info: ImageInfo,
  channels: 1 | 3,
  out: Uint8Array,
  jpeg: JpegDecoder,
): void {
  const pixels = info.width * info.height;
  if (info.format === "jpeg") {
    const img = jpeg.decode(bytes);
    if (img.width !== info.width || img.height !== info.height) {
      throw new Error(`decoded size ${img.width}×${img.height} differs from its header`);
    }
    // A gray JPEG comes out as R = G = B = its gray value, so channel 0 is the gray.
    copyPixels(img.data, img.channels, 255, channels, pixels, out);
    return;
  }
  const png = decodePng(bytes);
  if (png.width !== info.width || png.height !== info.height) {
    throw new Error(`decoded size ${png.width}×${png.height} differs from its header`);
  }
  if (png.palette) {
    const rgb = convertIndexedToRgb(png);
    copyPixels(rgb, png.palette[0].length, 255, channels, pixels, out);
    return;
  }
  let data = png.data;
  if (png.depth < 8) data = unpackBits(png.data as Uint8Array, png.width, png.height, png.depth);
  copyPixels(data, png.channels, png.depth === 16 ? 65535 : 255, channels, pixels, out);
}

/** Expands sub-byte gray samples (rows padded to whole bytes) to one 0..255 byte each. */
function unpackBits(packed: Uint8Array, width: number, height: number, depth: number) {
  const out = new Uint8Array(width * height);
  const rowBytes = Math.ceil((width * depth) / 8);
  const mask = (1 << depth) - 1;
  const scale = 255 / mask;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      const byte = packed[y * rowBytes + (bit >> 3)];
      const v = (byte >> (8 - depth - (bit & 7))) & mask;
      out[y * width + x] = Math.round(v * scale);
    }
  }
  return out;
}

/** Copies `pixels` samples of `srcCh` channels (1..4) to `dstCh` channels, scaling `max` to 255. */
function copyPixels(
  src: ArrayLike<number>,
  srcCh: number,
  max: number,
  dstCh: 1 | 3,
  pixels: number,
  out: Uint8Array,
): void {
  const colour = srcCh >= 3;
  const shift = max === 65535 ? 8 : 0; // 16-bit samples keep their high byte
  for (let p = 0, s = 0, d = 0; p < pixels; p++, s += srcCh, d += dstCh) {
    if (dstCh === 1) {
      out[d] = src[s] >> shift;
    } else if (colour) {
      out[d] = src[s] >> shift;
      out[d + 1] = src[s + 1] >> shift;
      out[d + 2] = src[s + 2] >> shift;
    } else {
      const g = src[s] >> shift;
      out[d] = g;
      out[d + 1] = g;
      out[d + 2] = g;
    }
  }
}
