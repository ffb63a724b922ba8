// Classification metrics over a confusion matrix, matching sklearn (what the
// report used): pure functions, no tfjs, so routes/ and tests can use them too.
// Rows are the true class, columns the predicted class (sklearn's convention).

export type Confusion = number[][];

/** A classes × classes matrix of zeros. */
export function emptyConfusion(classes: number): Confusion {
  return Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
}

/** Adds a batch's (pred, label) pairs to `m` in place and returns it. */
export function accumulateConfusion(
  m: Confusion,
  pred: ArrayLike<number>,
  labels: ArrayLike<number>,
): Confusion {
  if (pred.length !== labels.length) {
    throw new Error(`${pred.length} predictions for ${labels.length} labels`);
  }
  const k = m.length;
  for (let i = 0; i < pred.length; i++) {
    const t = labels[i], p = pred[i];
    // A stray index would silently skew every metric: fail loudly instead.
    if (!(Number.isInteger(t) && t >= 0 && t < k && Number.isInteger(p) && p >= 0 && p < k)) {
      throw new Error(`class out of range [0, ${k}): label ${t}, prediction ${p}`);
    }
    m[t][p]++;
  }
  return m;
}

export function confusionMatrix(
  pred: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
): Confusion {
  return accumulateConfusion(emptyConfusion(classes), pred, labels);
}

function total(m: Confusion): number {
  let n = 0;
  for (const row of m) for (const v of row) n += v;
  return n;
}

/** Fraction of samples on the diagonal; 0 for an empty matrix. */
export function accuracy(m: Confusion): number {
  const n = total(m);
  let hit = 0;
  for (let i = 0; i < m.length; i++) hit += m[i][i];
  return n === 0 ? 0 : hit / n;
}

/**
 * F1 of each class, 2·tp / (2·tp + fp + fn); 0 where that is 0/0 (sklearn's
 * zero_division=0, and what its default "warn" returns).
 */
export function perClassF1(m: Confusion): number[] {
  return m.map((row, c) => {
    const tp = row[c];
    let fn = 0, fp = 0;
    for (let j = 0; j < m.length; j++) {
      if (j !== c) {
        fn += row[j];
        fp += m[j][c];
      }
    }
    const d = 2 * tp + fp + fn;
    return d === 0 ? 0 : (2 * tp) / d;
  });
}

/**
 * sklearn's f1_score(y_true, y_pred, average="macro"): the mean of per-class F1
 * over the classes that occur in the labels or the predictions. A class in
 * neither is left out (sklearn's default labels), not counted as 0; on a full
 * CIFAR-10 test set every class occurs, so this is the mean over all 10.
 */
export function macroF1(m: Confusion): number {
  const f1 = perClassF1(m);
  let sum = 0, seen = 0;
  for (let c = 0; c < m.length; c++) {
    let support = 0;
    for (let j = 0; j < m.length; j++) support += m[c][j] + m[j][c];
    if (support > 0) {
      sum += f1[c];
      seen++;
    }
  }
  return seen === 0 ? 0 : sum / seen;
}

/** Recall (tp / row sum) of each class, or null where the class has no true samples. */
function recalls(m: Confusion): (number | null)[] {
  return m.map((row, c) => {
    let n = 0;
    for (const v of row) n += v;
    return n === 0 ? null : row[c] / n;
  });
}

/**
 * sklearn's balanced_accuracy_score: the mean recall over the classes present in
 * the labels (a class only ever predicted is left out); 0 for an empty matrix.
 */
export function balancedAccuracy(m: Confusion): number {
  const r = recalls(m).filter((x) => x !== null);
  return r.length === 0 ? 0 : r.reduce((a, b) => a + b, 0) / r.length;
}

/** The lowest recall over the classes present in the labels; 0 for an empty matrix. */
export function worstClassAccuracy(m: Confusion): number {
  const r = recalls(m).filter((x) => x !== null);
  return r.length === 0 ? 0 : Math.min(...r);
}

/**
 * Per-class precision, recall and F1 over every class of the matrix, as sklearn's
 * precision_recall_fscore_support(labels=range(K), zero_division=0): 0 where 0/0.
 */
export function perClassPrecisionRecallF1(
  m: Confusion,
): { precision: number[]; recall: number[]; f1: number[] } {
  const precision = m.map((_, c) => {
    let col = 0;
    for (const row of m) col += row[c];
    return col === 0 ? 0 : m[c][c] / col;
  });
  const recall = recalls(m).map((x) => x ?? 0);
  return { precision, recall, f1: perClassF1(m) };
}
