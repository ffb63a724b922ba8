// Run and experiment ids: lowercase base-36, fixed width, sorting by creation
// time (KV lists keys in order, so "newest first" is a reverse list).
let lastMs = 0;
let counter = 0;

const TIME_WIDTH = 9; // 36^9 ms ≈ 3,000 years
const COUNTER_WIDTH = 3;
const RANDOM_WIDTH = 6;
export const ID_LENGTH = TIME_WIDTH + COUNTER_WIDTH + RANDOM_WIDTH;
export const ID_PATTERN = /^[0-9a-z]{18}$/;

export function newId(now = Date.now()): string {
  // Monotonic within the process even if the clock stalls or steps back.
  if (now <= lastMs) {
    counter++;
    if (counter >= 36 ** COUNTER_WIDTH) {
      lastMs++;
      counter = 0;
    }
  } else {
    lastMs = now;
    counter = 0;
  }
  const rand = crypto.getRandomValues(new Uint8Array(RANDOM_WIDTH));
  return lastMs.toString(36).padStart(TIME_WIDTH, "0") +
    counter.toString(36).padStart(COUNTER_WIDTH, "0") +
    Array.from(rand, (b) => (b % 36).toString(36)).join("");
}

export const isId = (s: string) => ID_PATTERN.test(s);
