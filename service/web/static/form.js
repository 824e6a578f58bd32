// A form generated from a document kind's JSON Schema. Every control is named by the API's path for
// it ("meeting.start", "recipients[2]"), so a 422 answer's errors land next to the fields they are about.

import { chinese } from "./api.js";

const DEFAULT_OFFSET = "+08:00";
// Text longer than this (by the schema's maxLength) is a paragraph: it gets a text area.
const LONG_TEXT_LENGTH = 200;

/** Build an element: el("p", {class: "help", id: "x"}, "text", child). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === undefined || value === null) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  return node;
}

function visuallyHidden(text) {
  return el("span", { class: "visually-hidden" }, text);
}

/** allOf (how apispec wraps a described nested object) merged into one schema; the outer keywords win. */
function resolve(schema) {
  if (!schema || !schema.allOf) return schema || {};
  const { allOf, ...outer } = schema;
  return Object.assign({}, ...allOf.map(resolve), outer);
}

/**
 * A field's label, help text and the labels of its enum values, from its schema: the title if there is one,
 * else the description up to the first "；" (or "，" / "：" outside brackets); the rest is help text.
 * Enum values explained as "document=文件格式，letter=信函格式" become the options' labels.
 */
export function describe(schema, key) {
  const description = schema.description || "";
  const options = {};
  let rest = description;
  if (schema.enum) {
    const pattern = /([A-Za-z0-9_-]+)=(.+?)(?=[，,][A-Za-z0-9_-]+=|；|$)/g;
    for (const match of description.matchAll(pattern)) {
      if (schema.enum.includes(match[1])) options[match[1]] = match[2];
    }
    if (Object.keys(options).length) rest = description.slice(0, description.search(/[A-Za-z0-9_-]+=/));
  }
  let label = schema.title || "";
  let help = "";
  if (!label) {
    const cut = rest.indexOf("；");
    [label, help] = cut >= 0 ? [rest.slice(0, cut), rest.slice(cut + 1)] : [rest, ""];
    const split = topLevelBreak(label);
    if (split >= 0) {
      const tail = label.slice(split + 1);
      label = label.slice(0, split);
      help = help ? `${tail}；${help}` : tail;
    }
  }
  if (schema.format === "date-time") label = label.replace(/（[^）]*时区[^）]*）/, "");
  label = label.trim() || Object.values(options).join("／") || key;
  return { label, help: help.trim(), options };
}

/** Where a label's first "，" or "：" outside brackets and quotes is; -1 if none. A one-character label ("报：") stays whole. */
function topLevelBreak(text) {
  let depth = 0;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if ("（(“「".includes(ch)) depth += 1;
    else if ("）)”」".includes(ch)) depth -= 1;
    else if (depth === 0 && (ch === "，" || (ch === "：" && i > 1))) return i;
  }
  return -1;
}

function idFor(path) {
  return `f-${path.replace(/[^A-Za-z0-9_]+/g, "-").replace(/-+$/, "")}`;
}

function typeOf(schema) {
  return Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
}

/** The field a schema asks for. */
function buildField(rawSchema, key, options) {
  const schema = resolve(rawSchema);
  const type = typeOf(schema);
  if (type === "object" && schema.properties) return new ObjectField(schema, key, options);
  if (type === "array" && schema.items) return new ArrayField(schema, key, options);
  return new ScalarField(schema, key, options);
}

class Field {
  constructor(schema, key, { required = false, item = false, context }) {
    this.schema = schema;
    this.key = key;
    this.required = required;
    // A list's row is always sent; its list says whether the list is required, so the row is marked neither way.
    this.marked = item ? "" : required ? "is-required" : "optional";
    this.context = context;
    Object.assign(this, describe(schema, key));
    this.path = "";
    this.rowLabel = "";
    this.errorEl = el("p", { class: "field-error", hidden: true });
    this.helpEl = this.help ? el("p", { class: "help" }, this.help) : null;
  }

  /** How the error summary names the field: "会议 › 结束时间", "主送机关 第3项". */
  get fullLabel() {
    const own = this.rowLabel || this.label;
    // A row is named after its list already ("参会人员 第2项"): the list's own holder comes before it.
    const holder = this.rowLabel ? this.parent?.parent : this.parent;
    return holder && !holder.isRoot ? `${holder.fullLabel} › ${own}` : own;
  }

  setPath(path) {
    this.path = path;
    this.id = idFor(path);
    this.errorEl.id = `${this.id}-error`;
    if (this.helpEl) this.helpEl.id = `${this.id}-help`;
    this.updateDescribedBy();
  }

  /** Elements that carry aria-describedby (and for controls, aria-invalid). */
  describedElements() {
    return [];
  }

  updateDescribedBy() {
    const ids = [];
    if (this.helpEl) ids.push(this.helpEl.id);
    if (!this.errorEl.hidden) ids.push(this.errorEl.id);
    for (const target of this.describedElements()) {
      if (ids.length) target.setAttribute("aria-describedby", ids.join(" "));
      else target.removeAttribute("aria-describedby");
    }
  }

  showError(messages) {
    this.errorEl.replaceChildren(
      ...messages.flatMap((message, i) => [...(i ? [el("br")] : []), visuallyHidden("错误："), chinese(message)]),
    );
    this.errorEl.hidden = false;
    this.element.classList.add("has-error");
    this.markInvalid(true);
    this.updateDescribedBy();
  }

  clearErrors() {
    this.errorEl.hidden = true;
    this.errorEl.replaceChildren();
    this.element.classList.remove("has-error");
    this.markInvalid(false);
    this.updateDescribedBy();
  }

  markInvalid() {}

  /** The field at `path`, this one or one inside it. */
  find(path) {
    return path === this.path ? this : null;
  }

  /** Whether `path` is this field's or lies inside it. */
  covers(path) {
    return path === this.path || path.startsWith(`${this.path}.`) || path.startsWith(`${this.path}[`);
  }

  focus() {
    const target = this.element.querySelector("input, select, textarea, button:not([disabled])");
    target?.focus();
  }
}

class ScalarField extends Field {
  constructor(schema, key, options) {
    super(schema, key, options);
    this.type = typeOf(schema);
    this.offset = options.context.defaultOffset;
    this.control = this.buildControl();
    if (this.marked === "is-required") this.control.setAttribute("aria-required", "true");
    this.labelEl = el("label", { class: this.marked === "is-required" ? "is-required" : undefined }, this.label);
    // Label, control, then what is said about it (the API's error, the help text): inputs side by side line up.
    const isCheckbox = this.control.type === "checkbox";
    this.element = el(
      "div",
      { class: `field field-${this.widget}` },
      isCheckbox ? el("div", { class: "checkbox" }, this.control, this.labelEl) : [this.labelEl, this.control],
      this.errorEl,
      this.helpEl,
    );
    this.clear();
  }

  buildControl() {
    const { schema } = this;
    if (schema.enum) {
      this.widget = "select";
      const select = el("select");
      if (schema.default === undefined) select.append(el("option", { value: "" }, "（不选）"));
      for (const value of schema.enum) {
        select.append(el("option", { value: String(value) }, this.options[value] || String(value)));
      }
      return select;
    }
    if (this.type === "boolean") {
      this.widget = "checkbox";
      return el("input", { type: "checkbox" });
    }
    if (this.type === "integer" || this.type === "number") {
      this.widget = "number";
      return el("input", {
        type: "number",
        inputmode: this.type === "integer" ? "numeric" : "decimal",
        step: this.type === "integer" ? "1" : "any",
        min: schema.minimum,
        max: schema.maximum,
        placeholder: schema.default != null ? `默认：${schema.default}` : undefined,
      });
    }
    if (schema.format === "date") {
      this.widget = "date";
      return el("input", { type: "date" });
    }
    if (schema.format === "date-time") {
      this.widget = "datetime";
      return el("input", { type: "datetime-local" });
    }
    const placeholder = schema.default ? `默认：${schema.default}` : undefined;
    const long = schema.maxLength > LONG_TEXT_LENGTH;
    if (long) {
      this.widget = "textarea";
      return el("textarea", { rows: 3, placeholder });
    }
    this.widget = "text";
    return el("input", { type: "text", placeholder, autocomplete: "off" });
  }

  setPath(path) {
    this.control.id = idFor(path);
    this.control.name = path;
    this.labelEl.htmlFor = this.control.id;
    super.setPath(path);
  }

  /** Label a list's row: visibly "第2项", to assistive technology "主送机关 第2项". */
  setRowLabel(listLabel, index) {
    this.rowLabel = `${listLabel} 第${index + 1}项`;
    this.labelEl.replaceChildren(visuallyHidden(`${listLabel} `), `第${index + 1}项`);
  }

  describedElements() {
    return [this.control];
  }

  markInvalid(invalid) {
    if (invalid) this.control.setAttribute("aria-invalid", "true");
    else this.control.removeAttribute("aria-invalid");
  }

  focus() {
    this.control.focus();
  }

  clear() {
    const { schema } = this;
    if (this.widget === "checkbox") this.control.checked = schema.default === true;
    else if (this.widget === "select") this.control.value = schema.default !== undefined ? String(schema.default) : "";
    else this.control.value = "";
  }

  /** The JSON value, or undefined for an empty (or default) field, which is left out of the body. */
  value() {
    const { control, schema } = this;
    if (this.widget === "checkbox") {
      const fallback = schema.default === undefined ? false : schema.default;
      return control.checked === fallback && !this.required ? undefined : control.checked;
    }
    const raw = control.value;
    if (raw === "") return undefined;
    if (this.widget === "select") {
      const chosen = schema.enum.find((value) => String(value) === raw);
      return chosen === schema.default && !this.required ? undefined : chosen;
    }
    if (this.widget === "number") {
      const number = Number(raw);
      return Number.isFinite(number) ? number : raw;
    }
    if (this.widget === "datetime") return toApiDateTime(raw, this.offset);
    if (this.type === undefined && raw.trim().startsWith("{")) {
      // An untyped field (发文字号) may also take an object, e.g. {"prefix": "青政办发"}.
      try {
        return JSON.parse(raw);
      } catch {
        return raw;
      }
    }
    return raw;
  }

  setValue(value) {
    if (value === undefined || value === null) {
      this.clear();
      return;
    }
    if (this.widget === "checkbox") this.control.checked = Boolean(value);
    else if (this.widget === "datetime") {
      const parsed = fromApiDateTime(String(value));
      this.control.step = parsed.seconds ? "1" : "";
      this.control.value = parsed.local;
      this.offset = parsed.offset || this.offset;
    } else if (typeof value === "object") this.control.value = JSON.stringify(value);
    else this.control.value = String(value);
  }
}

class ObjectField extends Field {
  constructor(schema, key, options) {
    super(schema, key, options);
    this.isRoot = Boolean(options.root);
    const required = new Set(schema.required || []);
    const order = schema["x-order"] || Object.keys(schema.properties);
    this.children = order
      .filter((name) => schema.properties[name])
      .map((name) => {
        const child = buildField(schema.properties[name], name, {
          required: required.has(name),
          context: options.context,
        });
        child.parent = this;
        return child;
      });
    this.body = el("div", { class: "grid" }, ...this.children.map((child) => child.element));
    if (this.isRoot) {
      this.element = el("div", { class: "form-root" }, this.errorEl, this.body);
      return;
    }
    this.legendText = el("span", {}, this.label);
    const legend = el("legend", { class: this.marked === "is-required" ? "is-required" : undefined }, this.legendText);
    if (this.marked === "optional") legend.append(el("span", { class: "optional" }, "选填"));
    this.element = el("fieldset", { class: "group" }, legend, this.helpEl, this.errorEl, this.body);
  }

  setPath(path) {
    super.setPath(path);
    if (!this.isRoot) this.element.id = this.id;
    for (const child of this.children) child.setPath(path ? `${path}.${child.key}` : child.key);
  }

  setRowLabel(listLabel, index) {
    this.rowLabel = `${listLabel} 第${index + 1}项`;
    this.legendText.replaceChildren(visuallyHidden(`${listLabel} `), `第${index + 1}项`);
  }

  describedElements() {
    return this.isRoot ? [] : [this.element];
  }

  find(path) {
    if (path === this.path) return this;
    for (const child of this.children) {
      if (child.covers(path)) return child.find(path);
    }
    return null;
  }

  clearErrors() {
    super.clearErrors();
    for (const child of this.children) child.clearErrors();
  }

  value() {
    const result = {};
    for (const child of this.children) {
      const value = child.value();
      if (value !== undefined) result[child.key] = value;
    }
    return Object.keys(result).length || this.isRoot ? result : undefined;
  }

  setValue(value) {
    for (const child of this.children) child.setValue(value ? value[child.key] : undefined);
  }
}

class ArrayField extends Field {
  constructor(schema, key, options) {
    super(schema, key, options);
    this.itemSchema = resolve(schema.items);
    this.minItems = schema.minItems || 0;
    this.maxItems = schema.maxItems ?? Number.POSITIVE_INFINITY;
    this.rows = [];
    this.list = el("ol", { class: "rows" });
    this.addButton = el(
      "button",
      { type: "button", class: "add-row", onclick: () => this.add(undefined, true) },
      el("span", { "aria-hidden": "true" }, "＋ "),
      "添加一项",
    );
    const legend = el("legend", { class: this.required ? "is-required" : undefined }, this.label);
    this.element = el(
      "fieldset",
      { class: "list" },
      legend,
      this.helpEl,
      this.errorEl,
      this.list,
      el("div", { class: "list-tools" }, this.addButton),
    );
    this.clear();
  }

  get initialRows() {
    return Math.max(this.minItems, this.required ? 1 : 0);
  }

  setPath(path) {
    super.setPath(path);
    this.element.id = this.id;
    this.addButton.setAttribute("aria-label", `添加一项：${this.label}`);
    this.renumber();
  }

  describedElements() {
    return [this.element];
  }

  add(value, focus = false) {
    const field = buildField(this.itemSchema, this.key, {
      required: true,
      item: true,
      context: this.context,
    });
    field.parent = this;
    if (value !== undefined) field.setValue(value);
    const row = { field };
    row.up = rowButton("上移", "↑", () => this.move(row, -1, "up"));
    row.down = rowButton("下移", "↓", () => this.move(row, 1, "down"));
    row.remove = rowButton("删除", "✕", () => this.remove(row));
    row.element = el(
      "li",
      { class: `row row-${field instanceof ObjectField ? "group" : "scalar"}` },
      field.element,
      el("div", { class: "row-tools" }, row.up, row.down, row.remove),
    );
    this.rows.push(row);
    this.list.append(row.element);
    this.renumber();
    if (focus) {
      field.focus();
      this.changed();
    }
  }

  remove(row) {
    const index = this.rows.indexOf(row);
    this.rows.splice(index, 1);
    row.element.remove();
    this.renumber();
    const next = this.rows[Math.min(index, this.rows.length - 1)];
    if (next) next.field.focus();
    else this.addButton.focus();
    this.changed();
  }

  move(row, delta, which) {
    const index = this.rows.indexOf(row);
    const target = index + delta;
    if (target < 0 || target >= this.rows.length) return;
    this.rows.splice(index, 1);
    this.rows.splice(target, 0, row);
    const reference = this.rows[target + 1]?.element ?? null;
    this.list.insertBefore(row.element, reference);
    this.renumber();
    // Keep the focus on the button that was pressed, so pressing it again moves the row further.
    const stay = which === "up" ? row.up : row.down;
    (stay.disabled ? (which === "up" ? row.down : row.up) : stay).focus();
    this.changed();
  }

  /** Paths, labels and button states after rows were added, removed or moved. */
  renumber() {
    this.rows.forEach((row, index) => {
      row.field.setPath(`${this.path}[${index}]`);
      row.field.setRowLabel(this.label, index);
      const name = `${this.label}第${index + 1}项`;
      row.up.setAttribute("aria-label", `上移：${name}`);
      row.down.setAttribute("aria-label", `下移：${name}`);
      row.remove.setAttribute("aria-label", `删除：${name}`);
      row.up.disabled = index === 0;
      row.down.disabled = index === this.rows.length - 1;
      row.remove.disabled = this.rows.length <= this.minItems;
    });
    this.addButton.disabled = this.rows.length >= this.maxItems;
  }

  changed() {
    this.element.dispatchEvent(new Event("input", { bubbles: true }));
  }

  find(path) {
    if (path === this.path) return this;
    const row = this.rows.find((candidate) => candidate.field.covers(path));
    return row ? row.field.find(path) : null;
  }

  clearErrors() {
    super.clearErrors();
    for (const row of this.rows) row.field.clearErrors();
  }

  clear() {
    this.list.replaceChildren();
    this.rows = [];
    for (let i = 0; i < this.initialRows; i += 1) this.add();
    this.renumber();
  }

  /** Every row, empty ones too: dropping them would shift the indexes the API's errors refer to. */
  value() {
    if (!this.rows.length) return undefined;
    return this.rows.map(({ field }) => {
      const value = field.value();
      if (value !== undefined) return value;
      return field instanceof ObjectField ? {} : field instanceof ArrayField ? [] : "";
    });
  }

  setValue(value) {
    if (!Array.isArray(value)) {
      this.clear();
      return;
    }
    this.list.replaceChildren();
    this.rows = [];
    for (const item of value) this.add(item);
    while (this.rows.length < this.initialRows) this.add();
    this.renumber();
  }

  focus() {
    if (this.rows.length) this.rows[0].field.focus();
    else this.addButton.focus();
  }
}

function rowButton(text, icon, onclick) {
  return el(
    "button",
    { type: "button", class: "row-button", onclick },
    el("span", { class: "row-button-icon", "aria-hidden": "true" }, icon),
    text,
  );
}

/** "2026-12-03T09:00:00+08:00" → the datetime-local value "2026-12-03T09:00" and its offset. */
export function fromApiDateTime(value) {
  const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(value);
  if (!match) return { local: "", offset: "", seconds: false };
  const [, date, time, seconds, zone] = match;
  const keepSeconds = Boolean(seconds && seconds !== "00");
  let offset = zone === "Z" ? "+00:00" : zone || "";
  if (offset && !offset.includes(":")) offset = `${offset.slice(0, 3)}:${offset.slice(3)}`;
  return { local: `${date}T${time}${keepSeconds ? `:${seconds}` : ""}`, offset, seconds: keepSeconds };
}

/** The datetime-local value "2026-12-03T09:00" → "2026-12-03T09:00:00+08:00". */
export function toApiDateTime(local, offset = DEFAULT_OFFSET) {
  const withSeconds = /T\d{2}:\d{2}$/.test(local) ? `${local}:00` : local;
  return `${withSeconds}${offset || DEFAULT_OFFSET}`;
}

/** The first UTC offset an example body uses, so the form writes times the way the kind's example does. */
export function offsetOf(example) {
  let found = "";
  const visit = (node) => {
    if (found || node === null) return;
    if (typeof node === "string") found = fromApiDateTime(node).offset;
    else if (typeof node === "object") Object.values(node).forEach(visit);
  };
  visit(example);
  return found || DEFAULT_OFFSET;
}

/**
 * The form for `schema`, inside `container`. Returns an object to read and fill it and to show the
 * API's errors: {value(), setValue(body), isEmpty(), showErrors(errors) → summary entries, clearErrors()}.
 */
export function createSchemaForm(schema, container, { example } = {}) {
  const context = { defaultOffset: offsetOf(example) };
  const root = new ObjectField(resolve(schema), "", { root: true, required: true, context });
  root.setPath("");
  container.replaceChildren(root.element);
  // A fresh form already has values (the empty first row of a required list): "empty" means unchanged.
  const untouched = JSON.stringify(root.value());
  return {
    value: () => root.value(),
    setValue: (body) => {
      root.setValue(body);
      root.setPath("");
    },
    isEmpty: () => JSON.stringify(root.value()) === untouched,
    clearErrors: () => root.clearErrors(),
    /** Place each error next to its field; returns the summary's entries (those without a field have no focus). */
    showErrors(errors) {
      root.clearErrors();
      const entries = [];
      for (const [path, messages] of Object.entries(errors || {})) {
        const field = path ? root.find(path) : null;
        const list = Array.isArray(messages) ? messages : [String(messages)];
        if (field && field !== root) {
          field.showError(list);
          for (const message of list) {
            entries.push({ label: field.fullLabel, message: chinese(message), href: `#${field.id}`, focus: () => field.focus() });
          }
        } else {
          for (const message of list) entries.push({ label: path, message: chinese(message) });
        }
      }
      return entries;
    },
  };
}
