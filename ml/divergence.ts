// A run whose loss stops being a number has diverged (a learning rate too high
// for the model, usually). Training stops there and says where, rather than
// failing later on a NaN metric; the service records the place in the run's
// `diverged` field, so failed-by-divergence runs can be told from crashes.
import * as tf from "./tf.ts";

export interface DivergedAt {
  /** 1-based epoch. */
  epoch: number;
  /**
   * 1-based batch of that epoch whose loss was first not finite (the epoch's
   * last when only the outputs evaluated after it were not).
   */
  batch: number;
}

export class DivergedError extends Error {
  constructor(readonly at: DivergedAt, what = "loss", note = "") {
    super(
      `training diverged: non-finite ${what} at epoch ${at.epoch}, batch ${at.batch}` +
        (note ? ` (${note})` : ""),
    );
    this.name = "DivergedError";
  }
}

/**
 * The first batch whose loss was not finite, tracked on the device so that no
 * step waits for a read-back; read when the running loss is read anyway (each
 * progress report and the epoch's end). Leaves the training arithmetic alone.
 */
export class FirstNonFinite {
  #at = tf.scalar(Infinity);

  /** Notes batch `b` (0-based) when its `loss` is ±Inf or NaN. Does not take `loss`. */
  note(loss: tf.Scalar, b: number): void {
    const next = tf.tidy(() => {
      const finite = tf.equal(tf.sub(loss, loss), 0); // x − x is NaN exactly when x is not finite
      return tf.where(finite, this.#at, tf.minimum(this.#at, b)) as tf.Scalar;
    });
    this.#at.dispose();
    this.#at = next;
  }

  /** The first non-finite batch (0-based), or null. */
  async first(): Promise<number | null> {
    const v = (await this.#at.data())[0];
    return Number.isFinite(v) ? v : null;
  }

  dispose(): void {
    this.#at.dispose();
  }
}

/** `{ diverged }` for a run's record from a worker's message that carries one, else `{}`. */
export function divergedPatch(msg: object): { diverged?: DivergedAt } {
  return "diverged" in msg && msg.diverged ? { diverged: msg.diverged as DivergedAt } : {};
}
