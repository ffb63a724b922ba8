// @ts-check
// Display choices remembered in this browser (localStorage, one JSON value per
// key). Storage may be disabled (private mode) or hold an older shape: reading
// then gives {} and the caller's defaults stand; saving is best effort.

/**
 * The saved value under `key`, passed through `read`, which keeps the fields
 * that are still valid; {} when there is none or it can't be read.
 * @template T
 * @param {string} key
 * @param {(saved: Record<string, any>) => Partial<T>} read
 * @returns {Partial<T>}
 */
export function loadPrefs(key, read) {
  try {
    const v = JSON.parse(localStorage.getItem(key) ?? "null");
    return v && typeof v === "object" ? read(v) : {};
  } catch {
    return {};
  }
}

/**
 * Remembers `value` (JSON) under `key`.
 * @param {string} key
 * @param {unknown} value
 */
export function savePrefs(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Not remembered; harmless.
  }
}
