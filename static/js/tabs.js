// @ts-check
// The two views, Runs and Experiments, as tabs (WAI-ARIA tabs pattern: arrow
// keys move between them). The address keeps the view and the open
// experiment (#experiment=ID), so a view can be linked and reloaded.

/**
 * tabs: [{tab, panel, name}]; onShow(name) after a switch. Returns {show(name)}.
 * @param {{tab: HTMLElement, panel: HTMLElement, name: string}[]} tabs
 * @param {(name: string) => void} onShow
 */
export function mountTabs(tabs, onShow) {
  /** @param {string} name @param {{focus?: boolean}} [opts] */
  function show(name, { focus = false } = {}) {
    for (const t of tabs) {
      const on = t.name === name;
      t.tab.setAttribute("aria-selected", String(on));
      t.tab.tabIndex = on ? 0 : -1;
      t.panel.hidden = !on;
      if (on && focus) t.tab.focus();
    }
    onShow(name);
  }
  tabs.forEach((t, i) => {
    t.tab.addEventListener("click", () => show(t.name));
    t.tab.addEventListener("keydown", (ev) => {
      const step = ev.key === "ArrowRight" ? 1 : ev.key === "ArrowLeft" ? -1 : 0;
      if (!step) return;
      ev.preventDefault();
      show(tabs[(i + step + tabs.length) % tabs.length].name, { focus: true });
    });
  });
  return { show };
}

/** {view, experiment} from the address's fragment: "#experiment=ID" or "#experiments". @param {string} hash */
export function readHash(hash) {
  const m = /^#experiments?(?:=([0-9a-z]+))?$/.exec(hash ?? "");
  return m ? { view: "experiment", experiment: m[1] ?? null } : { view: "runs", experiment: null };
}

/** @param {string} view @param {string | null} experiment */
export function writeHash(view, experiment) {
  const hash = view === "experiment"
    ? (experiment ? `#experiment=${experiment}` : "#experiments")
    : "";
  if (location.hash !== hash) {
    history.replaceState(null, "", hash || location.pathname + location.search);
  }
}
