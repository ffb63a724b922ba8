// @ts-check
// One note for a missing CIFAR-10, instead of one long error per run: what
// failed, and how the operator provides the data set (CIFAR10_URL, or an
// image-folder copy registered with LOSSBENCH_DATASETS). Dismissed, it stays
// away until another run fails the same way.
import { h, shortId } from "./format.js";
import { runList } from "./state.js";

const DISMISSED_KEY = "lossbench.cifarBannerDismissed";

/** A run that failed because cifar10 could not be fetched or read. @param {import("./state.js").Run | undefined} run */
export function isCifarUnavailable(run) {
  return run?.status === "failed" && run.config?.data === "cifar10" &&
    /^cifar10:/.test(String(run.error ?? ""));
}

/** @type {{el: HTMLElement, title: HTMLElement, detail: HTMLElement} | null} */
let els = null;

/**
 * onUseSynthetic(): switch the form to the synthetic data set.
 * @param {HTMLElement} el @param {{onUseSynthetic: () => void}} hooks
 */
export function mountBanner(el, { onUseSynthetic }) {
  const title = h("strong", {});
  const detail = h("p", { className: "hint banner-reason" });
  const use = h(
    "button",
    { type: "button", className: "small", id: "banner-synthetic" },
    "Use synthetic data",
  );
  const dismiss = h(
    "button",
    { type: "button", className: "small", id: "banner-dismiss" },
    "Dismiss",
  );
  el.append(
    h("p", {}, title),
    h(
      "p",
      {},
      "Provide it and restart ",
      h("code", {}, "deno task serve"),
      ": either set ",
      h("code", {}, "CIFAR10_URL=/path/to/cifar-10-binary.tar.gz"),
      " (a local copy or a reachable mirror of the official archive), or register an image-folder copy with ",
      h("code", {}, "LOSSBENCH_DATASETS=cifar=/path/to/folder-or.tar.gz"),
      " (train/<class>/* and test/<class>/* images) and pick ",
      h("code", {}, "cifar"),
      " as the data. The synthetic data set works offline.",
    ),
    h("details", {}, h("summary", {}, "The server's message"), detail),
    h("div", { className: "banner-actions" }, use, dismiss),
  );
  els = { el, title, detail };
  use.addEventListener("click", () => onUseSynthetic());
  dismiss.addEventListener("click", () => {
    const newest = failures()[0];
    try {
      if (newest) localStorage.setItem(DISMISSED_KEY, newest.id);
    } catch {
      // Not remembered: it hides until the page reloads.
    }
    el.dataset.dismissed = newest?.id ?? "";
    renderBanner();
  });
}

function failures() {
  return runList().filter(isCifarUnavailable); // newest first
}

function dismissedId() {
  try {
    return localStorage.getItem(DISMISSED_KEY) ?? els?.el.dataset.dismissed ?? "";
  } catch {
    return els?.el.dataset.dismissed ?? "";
  }
}

export function renderBanner() {
  if (!els) return;
  const list = failures();
  const newest = list[0];
  const show = Boolean(newest) && newest.id > dismissedId();
  els.el.hidden = !show;
  if (!show) return;
  const n = list.length;
  els.title.textContent = `CIFAR-10 is not available on this server: ` +
    `${n} run${n === 1 ? "" : "s"} on cifar10 failed to load it.`;
  els.detail.textContent = `${newest.error} (run #${shortId(newest.id)})`;
}
