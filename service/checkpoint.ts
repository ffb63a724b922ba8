// The checkpoint codec: a run's weights and optimizer state as one float32
// buffer cut into KV-sized chunks (["ckpt_chunk", id, epoch, i]) described by a
// CheckpointMeta (["ckpt", id]), and the KV reads and writes of those chunks.
import type { Checkpoint } from "../ml/types.ts";
import { deleteKeys, getOne, listKeys, RaceLost, retryLocked } from "./kv.ts";

/** Values are limited to 64 KiB; 60 KiB is a multiple of 4 (whole float32s). */
export const CHUNK_BYTES = 60 * 1024;
/** Checkpoint chunks per atomic write (10 × 60 KiB stays under KV's 800 KiB). */
const CHUNKS_PER_WRITE = 10;

export interface CheckpointMeta {
  epoch: number;
  bytes: number;
  chunks: number;
  tensors: { group: "weights" | "momentum"; name: string; length: number }[];
}

export function packCheckpoint(ck: Checkpoint): { meta: CheckpointMeta; chunks: Uint8Array[] } {
  const tensors: CheckpointMeta["tensors"] = [];
  const arrays: Float32Array[] = [];
  for (const group of ["weights", "momentum"] as const) {
    for (const name of Object.keys(ck[group]).sort()) {
      tensors.push({ group, name, length: ck[group][name].length });
      arrays.push(ck[group][name]);
    }
  }
  const all = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrays) {
    all.set(a, o);
    o += a.length;
  }
  const bytes = new Uint8Array(all.buffer);
  const chunks: Uint8Array[] = [];
  for (let s = 0; s < bytes.length; s += CHUNK_BYTES) chunks.push(bytes.slice(s, s + CHUNK_BYTES));
  return { meta: { epoch: ck.epoch, bytes: bytes.length, chunks: chunks.length, tensors }, chunks };
}

export function unpackCheckpoint(meta: CheckpointMeta, chunks: Uint8Array[]): Checkpoint {
  const bytes = new Uint8Array(meta.bytes);
  let o = 0;
  for (const c of chunks) {
    bytes.set(c, o);
    o += c.length;
  }
  if (o !== meta.bytes) throw new Error(`checkpoint: expected ${meta.bytes} bytes, found ${o}`);
  const all = new Float32Array(bytes.buffer);
  const ck: Checkpoint = { epoch: meta.epoch, weights: {}, momentum: {} };
  let at = 0;
  for (const t of meta.tensors) {
    ck[t.group][t.name] = all.slice(at, at + t.length);
    at += t.length;
  }
  return ck;
}

/** The run's latest checkpoint, or null; throws when chunks are missing. */
export async function loadCheckpoint(kv: Deno.Kv, id: string): Promise<Checkpoint | null> {
  const meta = (await getOne<CheckpointMeta>(kv, ["ckpt", id])).value;
  if (!meta) return null;
  const chunks: Uint8Array[] = [];
  const it = kv.list<Uint8Array>({ prefix: ["ckpt_chunk", id, meta.epoch] });
  for await (const e of it) chunks.push(e.value);
  if (chunks.length !== meta.chunks) {
    throw new Error(`checkpoint of run ${id}: ${chunks.length} of ${meta.chunks} chunks found`);
  }
  return unpackCheckpoint(meta, chunks);
}

/**
 * Writes an epoch's chunks, in commits of their own (KV caps one atomic write
 * at 800 KiB, which a bigger model's checkpoint would pass): they are
 * unreferenced until ["ckpt", id] points at their epoch. Each commit checks
 * `lease` when given, so a stale owner never overwrites a new owner's chunks
 * (RaceLost when it did change).
 */
export async function writeChunks(
  kv: Deno.Kv,
  id: string,
  epoch: number,
  chunks: Uint8Array[],
  lease?: Deno.KvEntryMaybe<unknown>,
): Promise<void> {
  for (let s = 0; s < chunks.length; s += CHUNKS_PER_WRITE) {
    const w = kv.atomic();
    if (lease) w.check(lease);
    chunks.slice(s, s + CHUNKS_PER_WRITE)
      .forEach((c, j) => w.set(["ckpt_chunk", id, epoch, s + j], c));
    if (!(await retryLocked(() => w.commit())).ok) throw new RaceLost();
  }
}

/** Deletes one epoch's chunks (a checkpoint superseded by a newer one). */
export async function dropEpochChunks(kv: Deno.Kv, id: string, meta: CheckpointMeta) {
  const keys: Deno.KvKey[] = [];
  for (let i = 0; i < meta.chunks; i++) keys.push(["ckpt_chunk", id, meta.epoch, i]);
  await deleteKeys(kv, keys);
}

/** Deletes every checkpoint chunk of a run; returns how many there were. */
export async function dropChunks(kv: Deno.Kv, id: string): Promise<number> {
  const keys = await listKeys(kv, ["ckpt_chunk", id]);
  await deleteKeys(kv, keys);
  return keys.length;
}
