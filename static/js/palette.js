// @ts-check
// Okabe–Ito colours (safe for the common colour-vision deficiencies), each
// paired with its own dash pattern and point style so lines differ by more
// than hue alone. Yellow goes last: it is faint on white.
export const SERIES = [
  { color: "#0072B2", dash: [], point: "circle" },
  { color: "#D55E00", dash: [6, 3], point: "rect" },
  { color: "#009E73", dash: [2, 2], point: "triangle" },
  { color: "#E69F00", dash: [8, 3, 2, 3], point: "rectRot" },
  { color: "#CC79A7", dash: [12, 4], point: "crossRot" },
  { color: "#56B4E9", dash: [4, 4], point: "star" },
  { color: "#000000", dash: [1, 3], point: "rectRounded" },
  { color: "#C9B800", dash: [10, 2, 2, 2], point: "cross" },
];

/** A sequential ramp (viridis, perceptually uniform) for heatmaps; t in [0, 1]. */
const VIRIDIS = [
  [68, 1, 84],
  [72, 40, 120],
  [62, 74, 137],
  [49, 104, 142],
  [38, 130, 142],
  [31, 158, 137],
  [53, 183, 121],
  [109, 205, 89],
  [180, 222, 44],
  [253, 231, 37],
];

/** @param {number} t */
export function ramp(t) {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [VIRIDIS[i], VIRIDIS[i + 1]];
  const c = a.map((v, k) => Math.round(v + (b[k] - v) * f));
  // Dark text on the light (yellow-green) end, white on the dark end.
  return { fill: `rgb(${c.join(",")})`, ink: t > 0.6 ? "#111" : "#fff" };
}
