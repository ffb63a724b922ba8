// The service's settings, from the environment. Every value is checked, so a
// typo fails at start-up with the variable's name rather than at first use.
import type { BackendName } from "../ml/types.ts";
import {
  BUILTIN_DATASETS,
  labelSetNamesOf,
  parseDatasetEntries,
  parseLabelSetList,
} from "./datasets.ts";
import { type JpegDecoderName, parseJpegDecoder } from "../ml/data/jpeg.ts";

export interface ServiceConfig {
  port: number;
  host: string;
  kvPath: string;
  cacheDir: string;
  /** Concurrent runs; undefined = cores on cpu, 1 on a GPU; 0 = API and dashboard only. */
  workers?: number;
  /** The most kernel threads one cpu run may use when cores are free (default: all of them). */
  runThreads?: number;
  /** How long a run's lease lasts without a heartbeat (LOSSBENCH_LEASE_MS, default 30 s). */
  leaseMs: number;
  /** How often a process reads the shared KV for events, work and cancels (LOSSBENCH_POLL_MS, ≤ 250). */
  pollMs: number;
  /** name → path or URL (LOSSBENCH_DATASETS). */
  datasets: Map<string, string>;
  /** name → its own JPEG decoder (LOSSBENCH_DATASETS `name@decoder=…`). */
  datasetDecoders: Map<string, JpegDecoderName>;
  /** data set name → label file (LOSSBENCH_LABEL_SETS). */
  labelFiles: Map<string, string>;
  token?: string;
  backend: BackendName;
  maxQueue: number;
  /** Interval of SSE heartbeat comments (LOSSBENCH_SSE_HEARTBEAT_MS, default 15 s). */
  heartbeatMs: number;
  /** The server log's format (LOSSBENCH_LOG: "text", the default, or "json" lines). */
  logFormat: "text" | "json";
  /**
   * JPEG decoder for image folders (LOSSBENCH_JPEG_DECODER: libjpeg-turbo, the default,
   * PIL's pixels; jpeg-js only to serve runs recorded with it, see ml/data/jpeg.ts).
   */
  jpegDecoder: JpegDecoderName;
}

function int(env: Record<string, string | undefined>, name: string, min: number, max: number) {
  const v = env[name]?.trim();
  if (v === undefined || v === "") return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min || n > max) {
    throw new Error(`${name} must be an integer in ${min}..${max}, got "${v}"`);
  }
  return n;
}

/** The least a token must hold: 16 characters and about 64 bits by its own character counts. */
export const MIN_TOKEN_LENGTH = 16;
export const MIN_TOKEN_BITS = 64;

/**
 * The token's entropy estimated from its own characters: its length times the Shannon entropy
 * of their frequencies. A random token scores about what it holds (32 hex digits: ~124); a
 * word repeated or a run of one character scores far less, whatever its length.
 */
export function tokenBits(token: string): number {
  const counts = new Map<string, number>();
  for (const ch of token) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / token.length) * Math.log2(n / token.length);
  return h * token.length;
}

/** Refuses a guessable LOSSBENCH_TOKEN at start (OWASP: require strong secrets up front). */
export function checkTokenStrength(token: string): void {
  const bits = tokenBits(token);
  if (token.length < MIN_TOKEN_LENGTH || bits < MIN_TOKEN_BITS) {
    throw new Error(
      `LOSSBENCH_TOKEN is too weak (${token.length} characters, about ${Math.floor(bits)} bits; ` +
        `at least ${MIN_TOKEN_LENGTH} characters and ${MIN_TOKEN_BITS} bits are required). ` +
        "Make one with: openssl rand -base64 24",
    );
  }
}

export function readConfig(
  env: Record<string, string | undefined> = Deno.env.toObject(),
): ServiceConfig {
  const backend = (env.LOSSBENCH_BACKEND?.trim() || "auto") as BackendName;
  if (!["auto", "cpu", "webgpu"].includes(backend)) {
    throw new Error(`LOSSBENCH_BACKEND must be auto, cpu or webgpu, got "${backend}"`);
  }
  const token = env.LOSSBENCH_TOKEN?.trim() || undefined;
  if (token !== undefined && !/^[A-Za-z0-9._~+/-]+=*$/.test(token)) {
    throw new Error("LOSSBENCH_TOKEN may only hold the characters of an RFC 6750 bearer token");
  }
  if (token !== undefined) checkTokenStrength(token);
  const logFormat = env.LOSSBENCH_LOG?.trim() || "text";
  if (logFormat !== "text" && logFormat !== "json") {
    throw new Error(`LOSSBENCH_LOG must be text or json, got "${logFormat}"`);
  }
  const { sources, decoders } = parseDatasetEntries(env.LOSSBENCH_DATASETS);
  const labelFiles = parseLabelSetList(env.LOSSBENCH_LABEL_SETS, [
    ...BUILTIN_DATASETS,
    ...sources.keys(),
  ]);
  for (const [name, path] of labelFiles) labelSetNamesOf(name, path); // a bad file stops the start
  return {
    logFormat,
    datasetDecoders: decoders,
    labelFiles,
    port: int(env, "PORT", 0, 65535) ?? 8000,
    host: env.HOST?.trim() || "127.0.0.1",
    kvPath: env.LOSSBENCH_KV?.trim() || "./.lossbench/lossbench.kv",
    cacheDir: env.LOSSBENCH_CACHE?.trim() || "./.lossbench/cache",
    workers: int(env, "LOSSBENCH_WORKERS", 0, 256),
    runThreads: int(env, "LOSSBENCH_RUN_THREADS", 1, 256),
    leaseMs: int(env, "LOSSBENCH_LEASE_MS", 500, 3_600_000) ?? 30_000,
    pollMs: int(env, "LOSSBENCH_POLL_MS", 10, 250) ?? 200,
    datasets: sources,
    token,
    backend,
    maxQueue: int(env, "LOSSBENCH_QUEUE_MAX", 1, 100_000) ?? 1000,
    heartbeatMs: int(env, "LOSSBENCH_SSE_HEARTBEAT_MS", 100, 3_600_000) ?? 15_000,
    jpegDecoder: parseJpegDecoder(env.LOSSBENCH_JPEG_DECODER, "LOSSBENCH_JPEG_DECODER"),
  };
}
