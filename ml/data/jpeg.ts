// JPEG decoders, by name. "libjpeg-turbo", the default, is @jsquash/jpeg's
// WebAssembly build of mozjpeg's decoder, which is libjpeg-turbo's: its default
// decode (islow IDCT, fancy upsampling) gives exactly the pixels PIL, and so
// torchvision, gives (tests/decode_pil.test.ts; every file of the shared
// CIFAR-10 copy: tools/check_decode_copy.ts). "jpeg-js" (pure JavaScript, off by
// up to 11 levels) decoded everything before; it stays only so that runs
// recorded with it (the published study) can still be checked bit for bit.
import mozjpegFactory from "@jsquash/jpeg/codec/dec/mozjpeg_dec.js";
import jsquashPkg from "@jsquash/jpeg/package.json" with { type: "json" };
import jpegJs from "jpeg-js";
import jpegJsPkg from "jpeg-js/package.json" with { type: "json" };

export const JPEG_DECODERS = ["libjpeg-turbo", "jpeg-js"] as const;
export type JpegDecoderName = typeof JPEG_DECODERS[number];
export const DEFAULT_JPEG_DECODER: JpegDecoderName = "libjpeg-turbo";

/** Decoded pixels: interleaved samples, `channels` per pixel (RGBA or RGB; gray comes as RGB). */
export interface JpegPixels {
  width: number;
  height: number;
  channels: 3 | 4;
  data: Uint8Array | Uint8ClampedArray;
}

export interface JpegDecoder {
  name: JpegDecoderName;
  /** Package and version: part of the decoded cache's key. */
  id: string;
  /** Throws on a damaged or truncated file (as PIL does), with the decoder's reason. */
  decode(bytes: Uint8Array): JpegPixels;
}

/** The decoder's identity without loading it (the cache key needs no WebAssembly). */
export function jpegDecoderId(name: JpegDecoderName): string {
  return name === "jpeg-js"
    ? `jpeg-js@${jpegJsPkg.version}`
    : `libjpeg-turbo/@jsquash/jpeg@${jsquashPkg.version}`;
}

/** Checks a decoder name from a flag or the environment; throws naming `field`. */
export function parseJpegDecoder(value: string | undefined, field: string): JpegDecoderName {
  const v = value?.trim() || DEFAULT_JPEG_DECODER;
  if ((JPEG_DECODERS as readonly string[]).includes(v)) return v as JpegDecoderName;
  throw new Error(`${field} must be one of ${JPEG_DECODERS.join(", ")}, got "${v}"`);
}

/** squoosh's mozjpeg_dec binding: RGBA pixels (its own ImageData), null when libjpeg fails. */
interface MozJpeg {
  decode(
    data: Uint8Array,
    preserveOrientation: boolean,
  ): { width: number; height: number; data: Uint8ClampedArray } | null;
}

let libjpeg: Promise<LibjpegTurbo> | undefined;

/** The decoder, loaded once per process (the default compiles its WebAssembly from the package). */
export async function loadJpegDecoder(
  name: JpegDecoderName = DEFAULT_JPEG_DECODER,
): Promise<JpegDecoder> {
  if (name === "jpeg-js") return jpegJsDecoder;
  // The .wasm ships in the package: read from node_modules (or Deno's npm cache), never fetched.
  libjpeg ??= Deno.readFile(
    new URL(import.meta.resolve("@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm")),
  ).then((bytes) => WebAssembly.compile(bytes)).then((c) => new LibjpegTurbo(c));
  libjpeg.catch(() => (libjpeg = undefined));
  const decoder = await libjpeg;
  await decoder.ready();
  return decoder;
}

const jpegJsDecoder: JpegDecoder = {
  name: "jpeg-js",
  id: jpegDecoderId("jpeg-js"),
  decode(bytes) {
    // Strict: a damaged file must fail here, not become noise in the set.
    const img = jpegJs.decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      tolerantDecoding: false,
    });
    return { width: img.width, height: img.height, channels: 3, data: img.data };
  },
};

class LibjpegTurbo implements JpegDecoder {
  readonly name = "libjpeg-turbo";
  readonly id = jpegDecoderId("libjpeg-turbo");
  #mod: MozJpeg | null = null;
  /** A fresh instance kept ready, to take over at once from one a damaged file broke. */
  #spare: MozJpeg | null = null;
  #pending: Promise<void> | null = null;
  #messages: string[] = [];

  constructor(private compiled: WebAssembly.Module) {
    this.#fill();
  }

  /** Resolves once an instance and its spare are up. */
  async ready(): Promise<void> {
    while (!this.#mod || !this.#spare) await this.#fill();
  }

  /** Instantiates whichever of the current and the spare instance is missing. */
  #fill(): Promise<void> {
    this.#pending ??= (async () => {
      try {
        while (!this.#mod || !this.#spare) {
          const m = await this.#instantiate();
          if (!this.#mod) this.#mod = m;
          else this.#spare = m;
        }
      } finally {
        this.#pending = null;
      }
    })();
    return this.#pending;
  }

  #instantiate(): Promise<MozJpeg> {
    const factory = mozjpegFactory as unknown as (opts: object) => Promise<MozJpeg>;
    return factory({
      noInitialRun: true,
      // libjpeg reports errors and warnings on stderr: collected per decode instead.
      print: (s: string) => this.#messages.push(s),
      printErr: (s: string) => this.#messages.push(s),
      instantiateWasm: (imports: WebAssembly.Imports, done: (i: WebAssembly.Instance) => void) => {
        const instance = new WebAssembly.Instance(this.compiled, imports);
        done(instance);
        return instance.exports;
      },
    });
  }

  decode(bytes: Uint8Array): JpegPixels {
    if (!this.#mod) throw new Error("the JPEG decoder is restarting after damaged files");
    this.#messages = [];
    let img: ReturnType<MozJpeg["decode"]>;
    try {
      img = this.#mod.decode(bytes, false);
    } catch {
      // A fatal libjpeg error exit()s out of the module mid-decode, leaving its stack and
      // heap as they were: the spare takes over (another load decoding meanwhile goes on),
      // and a new spare is made.
      this.#mod = this.#spare;
      this.#spare = null;
      this.#fill().catch(() => {});
      throw new Error(this.#messages.join("; ") || "libjpeg-turbo could not decode the file");
    }
    // PIL refuses a truncated file ("image file is truncated"); libjpeg only warns and pads.
    const eof = this.#messages.find((m) => /premature end of jpeg file/i.test(m));
    if (eof) throw new Error(`${eof} (truncated)`);
    if (!img) {
      throw new Error(this.#messages.join("; ") || "libjpeg-turbo could not decode the file");
    }
    return { width: img.width, height: img.height, channels: 4, data: img.data };
  }
}
