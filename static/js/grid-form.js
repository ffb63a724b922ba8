// The grid part of the start form: loss rows (each loss's parameters from
// /api/losses, defaults filled, bounds on the inputs), condition rows (label
// noise and/or imbalance), model checkboxes (from /api/models), and the pure
// helpers the form and its tests share: seed lists, the grid's size, and
// where each of the API's validation messages belongs.
import { h } from "./format.js";

/** Used until /api/losses answers (or if it never does): the report's three. */
export const FALLBACK_LOSSES = [
  { name: "l1", title: "L1 (the report's)", params: { properties: {} } },
  { name: "ce", title: "Cross-entropy", params: { properties: {} } },
  {
    name: "focal",
    title: "Focal loss",
    params: { properties: { gamma: { default: 2, type: "number", minimum: 0, maximum: 20 } } },
  },
];
export const FALLBACK_MODELS = [{ name: "convnet", title: "ConvNet (the report's)" }];

/** The report's comparison: what "Start" sends when the rows are left as they come. */
export const REPORT_LOSSES = [
  { loss: "l1", params: {} },
  { loss: "ce", params: {} },
  { loss: "focal", params: { gamma: 0.5 } },
  { loss: "focal", params: { gamma: 2 } },
];

const GREEK = { gamma: "γ", epsilon: "ε", alpha: "α", beta: "β" };
export const paramName = (p) => GREEK[p] ?? p;

/**
 * A number input's attributes from a JSON Schema property: default, and the
 * bounds (an exclusive bound becomes min/max too; the API refuses the edge
 * itself with a message that names the field).
 * @returns {Record<string, string>}
 */
export function paramAttrs(prop) {
  const lo = prop.minimum ?? prop.exclusiveMinimum;
  const hi = prop.maximum ?? prop.exclusiveMaximum;
  /** @type {Record<string, string>} */
  const attrs = { type: "number", step: prop.type === "integer" ? "1" : "any" };
  if (lo !== undefined) attrs.min = String(lo);
  if (hi !== undefined) attrs.max = String(hi);
  if (prop.default !== undefined) attrs.value = String(prop.default);
  return attrs;
}

/** "1, 2, 3", "1-5" or "1 2 7-9" → [1, 2, 3, …]; throws with a message on anything else. */
export function parseSeeds(text) {
  const out = [];
  for (const part of String(text).split(/[\s,]+/).filter(Boolean)) {
    const m = /^(\d+)(?:\s*[-–]\s*(\d+))?$/.exec(part);
    if (!m) throw new Error(`"${part}" is not a seed (whole numbers, e.g. 1, 2, 3 or 1-5)`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new Error(`"${part}": a range goes up`);
    if (b - a >= 100) throw new Error(`"${part}": at most 100 seeds`);
    for (let s = a; s <= b; s++) out.push(s);
  }
  if (!out.length) throw new Error("give at least one seed");
  return out;
}

/** Runs in a grid: losses × conditions × models × seeds. */
export function gridSize({ losses, conditions, models, seeds }) {
  return losses * conditions * models * seeds;
}

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** "4 losses × 1 condition × 1 model × 3 seeds = 12 runs". */
export function gridText(n) {
  return `${plural(n.losses, "loss").replace("losss", "losses")} × ` +
    `${plural(n.conditions, "condition")} × ${plural(n.models, "model")} × ` +
    `${plural(n.seeds, "seed")} = ${plural(gridSize(n), "run")}`;
}

/**
 * Where each part of a validation message ("; "-separated) belongs:
 * [{target, param?, text}], target being a shared setting's name (when in
 * `settings`), "losses.i", "conditions.i", "models", "seeds" or "" (the form's
 * general line). Experiments name rows ("losses.0: gce: params.q: …",
 * "conditions.1.labelNoise.rate: …"); a single run names its loss
 * ("focal: params.gamma: …") and "condition.…", "model", "seed".
 */
export function errorTargets(message, settings) {
  const out = [];
  for (const part of String(message).split("; ")) {
    // "unknown loss "x"; use one of: …": the hint belongs to the message before it.
    if (/^use one of: /.test(part) && out.length) {
      out[out.length - 1].text += `; ${part}`;
      continue;
    }
    let m;
    if ((m = /^losses\.(\d+)(?:\.(\w+))?: (.*)$/s.exec(part))) {
      const p = /^\w+: params\.(\w+): (.*)$/s.exec(m[3]);
      out.push(
        p
          ? { target: `losses.${m[1]}`, param: p[1], text: `${paramName(p[1])}: ${p[2]}` }
          : { target: `losses.${m[1]}`, param: m[2] === "loss" ? "loss" : undefined, text: m[3] },
      );
    } else if (
      (m = /^conditions?(?:\.(\d+))?(?:\.(labelNoise|imbalance)(?:\.(\w+))?)?: (.*)$/s
        .exec(part))
    ) {
      const param = m[3] ?? m[2];
      out.push({ target: `conditions.${m[1] ?? 0}`, param, text: m[4] });
    } else if ((m = /^models?(?:\.\d+)?: (.*)$/s.exec(part))) {
      out.push({ target: "models", text: m[1] });
    } else if ((m = /^(?:seeds?|repeats)(?:\.\d+)?: (.*)$/s.exec(part))) {
      out.push({ target: "seeds", text: part.startsWith("repeats") ? `repeats: ${m[1]}` : m[1] });
    } else if ((m = /^(\w+): (.*)$/s.exec(part)) && settings.has(m[1])) {
      out.push({ target: m[1], text: m[2] });
    } else if ((m = /^(?:(\w+): )?params\.(\w+): (.*)$/s.exec(part))) {
      out.push({ target: "losses.0", param: m[2], text: `${paramName(m[2])}: ${m[3]}` });
    } else if ((m = /^loss: (.*)$/s.exec(part))) {
      out.push({ target: "losses.0", param: "loss", text: m[1] });
    } else {
      out.push({ target: "", text: part });
    }
  }
  return out;
}

// --- the rows -----------------------------------------------------------------

/**
 * Mounts the loss and condition rows and the model boxes in their containers.
 * Returns {setCatalog, values, setValues, counts, showError, clearErrors}.
 * `onChange` is called after any edit (the form updates its grid size line).
 */
export function mountGrid({ lossRows, addLoss, conditionRows, addCondition, models }, onChange) {
  let losses = FALLBACK_LOSSES;
  let modelList = FALLBACK_MODELS;
  const changed = () => onChange?.();

  // Loss rows ------------------------------------------------------------------
  function lossRow(value = { loss: "ce", params: {} }) {
    const select = h("select", { className: "loss-name" });
    const params = h("span", { className: "params" });
    const remove = h("button", { type: "button", className: "small remove" }, "×");
    const error = h("span", { className: "error row-error" });
    const row = h("div", { className: "grid-row loss-row" }, select, params, remove, error);
    // The params it came with: kept for a loss the catalog hasn't described yet.
    row.$ = { select, params, remove, error, loss: value.loss, values: { ...value.params } };
    fillLossOptions(row, value.loss);
    select.addEventListener("change", () => {
      fillParams(row, {});
      clearRow(row);
      changed();
    });
    remove.addEventListener("click", () => {
      row.remove();
      renumber();
      changed();
    });
    params.addEventListener("input", () => clearRow(row));
    fillParams(row, value.params ?? {});
    return row;
  }

  function fillLossOptions(row, want) {
    const { select } = row.$;
    const names = losses.map((l) => l.name);
    select.replaceChildren(
      ...losses.map((l) => h("option", { value: l.name }, `${l.name} — ${l.title}`)),
    );
    // A saved loss this server doesn't have stays visible (the API will name it).
    if (want && !names.includes(want)) select.append(h("option", { value: want }, want));
    select.value = want ?? names[0];
  }

  function fillParams(row, values) {
    const spec = losses.find((l) => l.name === row.$.select.value);
    const props = spec?.params?.properties ?? {};
    row.$.params.replaceChildren(
      ...Object.entries(props).map(([name, prop]) => {
        const input = h("input", { ...paramAttrs(prop), inputMode: "decimal" });
        input.dataset.param = name;
        if (values[name] !== undefined) input.value = String(values[name]);
        return h("label", { className: "param" }, `${paramName(name)} `, input);
      }),
    );
    if (!Object.keys(props).length) {
      row.$.params.append(h("span", { className: "hint" }, "no parameters"));
    }
  }

  // Condition rows ---------------------------------------------------------------
  function conditionRow(value = {}) {
    const noise = h(
      "select",
      { className: "noise-kind" },
      h("option", { value: "" }, "no label noise"),
      h("option", { value: "symmetric" }, "symmetric noise"),
      h("option", { value: "asymmetric" }, "asymmetric noise"),
    );
    const rate = h("input", {
      type: "number",
      className: "noise-rate",
      min: "0",
      max: "0.99",
      step: "any",
      value: "0.4",
      inputMode: "decimal",
    });
    rate.dataset.param = "rate";
    const imbalance = h(
      "select",
      { className: "imbalance-profile" },
      h("option", { value: "" }, "balanced"),
      h("option", { value: "exp" }, "long-tailed (exp)"),
      h("option", { value: "step" }, "step imbalance"),
    );
    const ratio = h("input", {
      type: "number",
      className: "imbalance-ratio",
      min: "1",
      step: "any",
      value: "100",
      inputMode: "decimal",
    });
    ratio.dataset.param = "ratio";
    const remove = h("button", { type: "button", className: "small remove" }, "×");
    const error = h("span", { className: "error row-error" });
    const row = h(
      "div",
      { className: "grid-row condition-row" },
      h(
        "span",
        { className: "cond-part" },
        noise,
        h("label", { className: "param" }, "rate ", rate),
      ),
      h(
        "span",
        { className: "cond-part" },
        imbalance,
        h("label", { className: "param" }, "ratio ", ratio),
      ),
      remove,
      error,
    );
    row.$ = { noise, rate, imbalance, ratio, remove, error };
    if (value.labelNoise) {
      noise.value = value.labelNoise.kind;
      rate.value = String(value.labelNoise.rate);
    }
    if (value.imbalance) {
      imbalance.value = value.imbalance.profile;
      ratio.value = String(value.imbalance.ratio);
    }
    const sync = () => {
      rate.disabled = !noise.value;
      ratio.disabled = !imbalance.value;
    };
    sync();
    for (const el of [noise, imbalance]) {
      el.addEventListener("change", () => {
        sync();
        clearRow(row);
        changed();
      });
    }
    for (const el of [rate, ratio]) el.addEventListener("input", () => clearRow(row));
    remove.addEventListener("click", () => {
      row.remove();
      renumber();
      changed();
    });
    return row;
  }

  // Models -------------------------------------------------------------------------
  function fillModels(checked) {
    const want = new Set(checked);
    models.replaceChildren(
      ...modelList.map((m) => {
        const box = h("input", { type: "checkbox", value: m.name, checked: want.has(m.name) });
        box.addEventListener("change", () => {
          clearModels();
          changed();
        });
        const size = typeof m.params === "number"
          ? `${compact(m.params)} weights, ${compact(m.flopsPerImage)} MACs/image`
          : "";
        return h(
          "label",
          { className: "check model-check", title: m.description ?? "" },
          box,
          h("span", {}, h("strong", {}, m.name), h("span", { className: "sub" }, size)),
        );
      }),
    );
  }
  const modelsError = h("span", { className: "error", id: "e-models" });
  models.after(modelsError);
  function clearModels() {
    modelsError.textContent = "";
  }

  // Numbering, for labels a screen reader can tell apart -----------------------------
  function renumber() {
    [...lossRows.children].forEach((row, i) => {
      row.dataset.index = String(i);
      row.$.select.setAttribute("aria-label", `Loss ${i + 1}`);
      row.$.remove.setAttribute("aria-label", `Remove loss ${i + 1}`);
      row.$.remove.disabled = lossRows.children.length === 1;
      row.$.error.id = `e-losses-${i}`;
      for (const input of row.$.params.querySelectorAll("input")) {
        input.setAttribute("aria-label", `Loss ${i + 1} ${paramName(input.dataset.param)}`);
        input.setAttribute("aria-describedby", row.$.error.id);
      }
    });
    [...conditionRows.children].forEach((row, i) => {
      row.dataset.index = String(i);
      row.$.noise.setAttribute("aria-label", `Condition ${i + 1}: label noise`);
      row.$.rate.setAttribute("aria-label", `Condition ${i + 1}: noise rate`);
      row.$.imbalance.setAttribute("aria-label", `Condition ${i + 1}: class imbalance`);
      row.$.ratio.setAttribute("aria-label", `Condition ${i + 1}: imbalance ratio`);
      row.$.remove.setAttribute("aria-label", `Remove condition ${i + 1}`);
      row.$.remove.disabled = conditionRows.children.length === 1;
      row.$.error.id = `e-conditions-${i}`;
    });
  }

  function clearRow(row) {
    row.$.error.textContent = "";
    for (const el of row.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  }

  addLoss.addEventListener("click", () => {
    const last = lossRows.lastElementChild;
    lossRows.append(lossRow(last ? readLoss(last) : undefined));
    renumber();
    changed();
    lossRows.lastElementChild.querySelector("select").focus();
  });
  addCondition.addEventListener("click", () => {
    conditionRows.append(conditionRow({ labelNoise: { kind: "symmetric", rate: 0.4 } }));
    renumber();
    changed();
    conditionRows.lastElementChild.querySelector("select").focus();
  });

  function readLoss(row) {
    const params = row.$.select.value === row.$.loss ? { ...row.$.values } : {};
    for (const input of row.$.params.querySelectorAll("input")) {
      params[input.dataset.param] = input.value;
    }
    return { loss: row.$.select.value, params };
  }

  function setValues({ losses: ls, conditions, models: ms }) {
    lossRows.replaceChildren(...(ls?.length ? ls : REPORT_LOSSES).map((l) => lossRow(l)));
    conditionRows.replaceChildren(...(conditions?.length ? conditions : [{}]).map(conditionRow));
    fillModels(ms?.length ? ms : ["convnet"]);
    renumber();
    changed();
  }

  /**
   * {losses, conditions, models, problems}: the rows as the API wants them;
   * problems [{target, param, text}] for inputs the browser already knows are
   * bad (not a number, outside the input's bounds).
   */
  function values() {
    const problems = [];
    // True for a value to send; an empty input is left to the API's default.
    const check = (input, target, param) => {
      const v = input.validity;
      if (v.badInput) {
        problems.push({ target, param, text: `${paramName(param)}: not a number` });
      } else if (input.value.trim() === "") {
        return false;
      } else if (v.rangeUnderflow) {
        problems.push({ target, param, text: `${paramName(param)}: at least ${input.min}` });
      } else if (v.rangeOverflow) {
        problems.push({ target, param, text: `${paramName(param)}: at most ${input.max}` });
      } else return true;
      return false;
    };
    const ls = [...lossRows.children].map((row, i) => {
      const inputs = row.$.params.querySelectorAll("input");
      // A loss the catalog hasn't described (yet): its saved params as they were.
      const params = !inputs.length && row.$.select.value === row.$.loss
        ? Object.fromEntries(Object.entries(row.$.values).map(([k, v]) => [k, Number(v)]))
        : {};
      for (const input of inputs) {
        if (check(input, `losses.${i}`, input.dataset.param)) {
          params[input.dataset.param] = Number(input.value);
        }
      }
      return { loss: row.$.select.value, params };
    });
    const cs = [...conditionRows.children].map((row, i) => {
      const c = {};
      const need = (input, param) => {
        if (input.value.trim() !== "" || input.validity.badInput) {
          return check(input, `conditions.${i}`, param);
        }
        problems.push({ target: `conditions.${i}`, param, text: `${param}: a number is needed` });
        return false;
      };
      if (row.$.noise.value && need(row.$.rate, "rate")) {
        c.labelNoise = { kind: row.$.noise.value, rate: Number(row.$.rate.value) };
      }
      if (row.$.imbalance.value && need(row.$.ratio, "ratio")) {
        c.imbalance = { profile: row.$.imbalance.value, ratio: Number(row.$.ratio.value) };
      }
      return c;
    });
    const ms = [...models.querySelectorAll("input:checked")].map((b) => b.value);
    if (!ms.length) problems.push({ target: "models", text: "tick at least one model" });
    return { losses: ls, conditions: cs, models: ms, problems };
  }

  /** Shows one message beside its row (and marks the named input); false if no such row. */
  function showError({ target, param, text }) {
    if (target === "models") {
      modelsError.textContent = modelsError.textContent
        ? `${modelsError.textContent}; ${text}`
        : text;
      return models.querySelector("input");
    }
    const m = /^(losses|conditions)\.(\d+)$/.exec(target);
    const rows = m && (m[1] === "losses" ? lossRows : conditionRows);
    const row = rows?.children[Number(m[2])];
    if (!row) return null;
    const slot = row.$.error;
    slot.textContent = slot.textContent ? `${slot.textContent}; ${text}` : text;
    let input = null;
    if (m[1] === "losses") {
      input = param === "loss" || !param
        ? row.$.select
        : row.$.params.querySelector(`input[data-param="${param}"]`);
    } else {
      input = param === "rate"
        ? row.$.rate
        : param === "ratio"
        ? row.$.ratio
        : param === "imbalance"
        ? row.$.imbalance
        : row.$.noise;
    }
    (input ?? row.$.select ?? row.$.noise).setAttribute("aria-invalid", "true");
    return input ?? row.querySelector("select");
  }

  function clearErrors() {
    for (const row of [...lossRows.children, ...conditionRows.children]) clearRow(row);
    clearModels();
  }

  return {
    setCatalog({ losses: ls, models: ms }) {
      const keep = values();
      if (Array.isArray(ls) && ls.length) losses = ls;
      if (Array.isArray(ms) && ms.length) modelList = ms;
      // Rebuild with the same choices (the catalog adds options and bounds).
      const rawLosses = [...lossRows.children].map(readLoss);
      lossRows.replaceChildren(...rawLosses.map((l) => lossRow(l)));
      fillModels(keep.models.length ? keep.models : ["convnet"]);
      renumber();
      changed();
    },
    values,
    setValues,
    /** The raw rows, for saving the form as typed. */
    saved: () => ({
      losses: [...lossRows.children].map(readLoss),
      conditions: values().conditions,
      models: [...models.querySelectorAll("input:checked")].map((b) => b.value),
    }),
    counts: () => ({
      losses: lossRows.children.length,
      conditions: conditionRows.children.length,
      models: models.querySelectorAll("input:checked").length,
    }),
    showError,
    clearErrors,
  };
}

/** 9986 → "10k", 1706496 → "1.7M". */
export function compact(n) {
  if (typeof n !== "number" || !Number.isFinite(n)) return "?";
  if (n >= 1e6) return `${Number((n / 1e6).toPrecision(2))}M`;
  if (n >= 1e3) return `${Number((n / 1e3).toPrecision(2))}k`;
  return String(n);
}
