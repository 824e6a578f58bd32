// One kind's templates: its versions, uploading a new one with its check report, previewing a version beside
// the active one, switching a version on, and rolling back.

import { ApiError, api, chinese, formatDateTime } from "./api.js";
import { el } from "./form.js";
import { hideSummary, problemEntries, setStatus, showSummary } from "./page.js";

const byId = (id) => document.getElementById(id);
const kindName = byId("template-page").dataset.kind;
const base = `/api/v1/templates/${encodeURIComponent(kindName)}`;
const BUILT_IN = 1;

const status = byId("status");
const activeSummary = byId("active-summary");
const versionTable = byId("version-table");
const versionsSummary = byId("versions-summary");
const versionsStatus = byId("versions-status");
const variantSelect = byId("preview-variant");
const activateForm = byId("activate-form");
const uploadForm = byId("upload-form");
const uploadStatus = byId("upload-status");
const uploadReport = byId("upload-report");
const rollbackForm = byId("rollback-form");
const previewSection = byId("preview");
const previewStatus = byId("preview-status");
const compare = byId("compare");

// The variants' names in the office's words; a variant this page does not know keeps its own name.
const VARIANT_LABELS = { letter: "信函格式", batch: "批量" };
const SEVERITY_LABELS = { error: "错误", warning: "警告", notice: "已自动处理" };
const SEVERITY_ORDER = ["error", "warning", "notice"];

let kind = null;
let fileInputs = {};
let busy = false;
let previewing = false;
let activating = null; // the version the activation form is for, and the button that opened it
let previewed = null; // the active version the preview on show was made against, and its status line

function variantLabel(variant) {
  if (variant === "document") return kind.variants.includes("letter") ? "文件格式" : "正文";
  return VARIANT_LABELS[variant] || variant;
}

function versionName(version) {
  return version === BUILT_IN ? "第1版（内置）" : `第${version}版`;
}

/** How the audit log names a person or system ("user:wangwei", "key:1cf0…") as this page shows it. */
function actorName(actor) {
  if (!actor) return "—";
  const [type, name] = actor.includes(":") ? actor.split(/:(.*)/s) : ["", actor];
  return type === "key" ? `API密钥 ${name}` : name;
}

function hidden(text) {
  return el("span", { class: "visually-hidden" }, text);
}

// --- fields and their errors ------------------------------------------------------------------------------

/**
 * A control (or a fieldset) whose API errors are shown beside it: aria-invalid and aria-describedby on the
 * control, the has-error frame on its container, and summary entries whose links move the focus to it.
 */
class FieldMessage {
  constructor(control, label, { error = byId(`${control.id}-error`), focusTarget = control } = {}) {
    this.control = control;
    this.label = label;
    this.error = error;
    this.focusTarget = focusTarget;
    this.container = control.closest(".field") || control;
  }

  show(messages) {
    const texts = messages.map(chinese);
    this.error.replaceChildren(
      ...texts.flatMap((text, i) => [...(i ? [el("br")] : []), hidden("错误："), text]),
    );
    this.error.hidden = false;
    if (this.control.matches("input, select, textarea")) this.control.setAttribute("aria-invalid", "true");
    this.describe(true);
    this.container.classList.add("has-error");
    const target = typeof this.focusTarget === "function" ? this.focusTarget() : this.focusTarget;
    return texts.map((message) => ({
      label: this.label,
      message,
      href: `#${target.id}`,
      focus: () => target.focus(),
    }));
  }

  clear() {
    this.error.hidden = true;
    this.error.replaceChildren();
    this.control.removeAttribute("aria-invalid");
    this.describe(false);
    this.container.classList.remove("has-error");
  }

  describe(withError) {
    const ids = (this.control.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    const others = ids.filter((id) => id !== this.error.id);
    const next = withError ? [...others, this.error.id] : others;
    if (next.length) this.control.setAttribute("aria-describedby", next.join(" "));
    else this.control.removeAttribute("aria-describedby");
  }
}

/** Summary entries for an ApiError: field errors beside their fields, the rest (and non-field problems) as text. */
function errorEntries(error, fields) {
  if (!(error instanceof ApiError) || !Object.keys(error.errors).length) return problemEntries(error);
  const entries = [];
  for (const [path, messages] of Object.entries(error.errors)) {
    const field = fields[path];
    if (field) entries.push(...field.show(messages));
    else entries.push(...messages.map((message) => ({ label: path, message: chinese(message) })));
  }
  return entries;
}

/** Run one change at a time; the buttons say they are busy with aria-disabled, which keeps the keyboard focus. */
async function exclusively(buttons, action) {
  if (busy) return;
  busy = true;
  for (const button of buttons) button.setAttribute("aria-disabled", "true");
  try {
    await action();
  } finally {
    busy = false;
    for (const button of buttons) button.removeAttribute("aria-disabled");
  }
}

// --- reports ----------------------------------------------------------------------------------------------

function countsText(report) {
  const parts = [];
  if (report.errors) parts.push(`${report.errors}个错误`);
  if (report.warnings) parts.push(`${report.warnings}个警告`);
  if (report.notices) parts.push(`${report.notices}项已自动处理`);
  return parts.length ? parts.join("、") : "未发现问题";
}

/** [[term, value], …] as a <dl>. */
function definitions(className, facts) {
  return el("dl", { class: className }, ...facts.flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, value)]));
}

function findingItem(finding) {
  const facts = [
    ["位置", finding.where ? chinese(finding.where) : ""],
    ["实测", finding.measured],
    ["应为", finding.expected],
  ].filter(([, value]) => value);
  return el(
    "li",
    { class: `finding finding-${finding.severity}` },
    el("span", { class: "severity" }, SEVERITY_LABELS[finding.severity] || finding.severity),
    el(
      "div",
      { class: "finding-body" },
      el("p", { class: "finding-message" }, chinese(finding.message)),
      facts.length ? definitions("finding-facts", facts) : null,
    ),
  );
}

/** A report's findings, errors first, as a list; an empty report says so. */
function findingList(findings) {
  if (!findings.length) return el("p", { class: "finding-none" }, "未发现问题。");
  const rank = (finding) => {
    const index = SEVERITY_ORDER.indexOf(finding.severity);
    return index < 0 ? SEVERITY_ORDER.length : index;
  };
  const sorted = [...findings].sort((a, b) => rank(a) - rank(b));
  return el("ul", { class: "findings" }, ...sorted.map(findingItem));
}

/** variant → report, one block per file: which file, how many of each severity, every finding. */
function reportBlocks(reports, headingLevel, fileNames = {}) {
  return Object.entries(reports).map(([variant, report]) => {
    const file = fileNames[variant] ? `：${fileNames[variant]}` : "";
    return el(
      "section",
      { class: `report-file${report.ok ? "" : " report-file-failed"}`, "data-variant": variant },
      el(headingLevel, {}, `${variantLabel(variant)}${file}`),
      el("p", { class: "report-counts" }, countsText(report)),
      findingList(report.findings || []),
    );
  });
}

function showUploadReport(title, reports, fileNames) {
  byId("upload-report-title").textContent = title;
  byId("upload-report-body").replaceChildren(...reportBlocks(reports, "h4", fileNames));
  uploadReport.hidden = false;
}

// --- the kind and its versions ----------------------------------------------------------------------------

async function loadKind() {
  const first = kind === null;
  kind = await api(base).then((response) => response.json());
  if (first) {
    document.title = `${kind.label}模板 · 会务公文服务`;
    byId("kind-title").textContent = `${kind.label}模板`;
    byId("crumb").textContent = kind.label;
    buildFileFields();
    buildVariantSelect();
  }
  showActive();
  // Newest first, the built-in version 1 last, as the API lists them.
  versionTable.tBodies[0].replaceChildren(...kind.versions.map(versionRow));
  showActivations();
  markStalePreview();
}

function showActive() {
  const latest = kind.activations[0];
  const since = latest
    ? `，${formatDateTime(latest.activated_at)}由${actorName(latest.activated_by)}启用，原因：${latest.reason}`
    : "，一直使用内置模板";
  activeSummary.textContent = `当前启用：${versionName(kind.active_version)}${since}。`;
  activeSummary.hidden = false;
}

function versionRow(version) {
  const isActive = version.version === kind.active_version;
  const [stateText, stateClass] = isActive
    ? ["当前启用", "active"]
    : version.activatable
      ? ["可启用", "ready"]
      : ["格式检查未通过", "blocked"];
  const name = versionName(version.version);
  const reports = version.report || {};
  const findings = Object.values(reports).reduce((sum, report) => sum + (report.findings || []).length, 0);
  const counts = Object.values(reports).map(countsText).join("；");
  const details = Object.keys(reports).length
    ? el(
        "details",
        { class: "report-details" },
        el("summary", {}, `检查报告（${counts}）`, hidden(`：${name}`)),
        ...reportBlocks(reports, "h4"),
      )
    : null;
  const rowButton = (text, action) => {
    const onclick = (event) => action(version.version, event.currentTarget);
    return el("button", { type: "button", class: "row-button", onclick }, text, hidden(name));
  };
  const actions = [rowButton("预览", preview)];
  if (!isActive && version.activatable) actions.push(rowButton("启用", openActivation));
  return el(
    "tr",
    { "data-version": String(version.version), class: isActive ? "is-active" : undefined },
    el(
      "th",
      { scope: "row", class: "nowrap" },
      name,
      version.version !== BUILT_IN && version.based_on
        ? el("span", { class: "based-on" }, `基于第${version.based_on}版`)
        : null,
    ),
    el("td", {}, actorName(version.uploaded_by)),
    el("td", { class: "nowrap" }, formatDateTime(version.uploaded_at) || "—"),
    // Only the built-in version's reason is the API's own "中文 / English"; a maintainer's may contain " / ".
    el("td", { class: "reason" }, (version.version === BUILT_IN ? chinese(version.reason) : version.reason) || "—"),
    el(
      "td",
      { class: "state-cell" },
      el("span", { class: `state state-${stateClass}` }, stateText),
      findings || !version.activatable ? details : null,
    ),
    el(
      "td",
      {},
      el(
        "div",
        { class: "file-links" },
        ...Object.entries(version.files).map(([variant, url]) =>
          el("a", { href: url, download: "" }, `下载${variantLabel(variant)}`, hidden(`（${name}）`)),
        ),
      ),
    ),
    el("td", {}, el("div", { class: "row-actions" }, ...actions)),
  );
}

function showActivations() {
  const table = byId("activation-table");
  const rows = kind.activations.map((activation) =>
    el(
      "tr",
      {},
      el("td", { class: "nowrap" }, formatDateTime(activation.activated_at)),
      el("th", { scope: "row", class: "nowrap" }, versionName(activation.version)),
      el("td", { class: "nowrap" }, versionName(activation.previous_version)),
      el("td", {}, actorName(activation.activated_by)),
      el("td", { class: "reason" }, activation.reason),
    ),
  );
  table.tBodies[0].replaceChildren(...rows);
  table.hidden = !rows.length;
  byId("activations-title").hidden = !rows.length;
  const note = byId("rollback-note");
  if (kind.rollback_to !== null) {
    note.textContent =
      `回退将重新启用${versionName(kind.rollback_to)}（当前启用前的版本）。` +
      "新生成的文书随即改用该版本，已生成的文书不变。";
    rollbackForm.hidden = false;
  } else {
    note.textContent = "这种文书一直使用内置模板（第1版），没有可回退的版本。";
    rollbackForm.hidden = true;
  }
}

// --- upload -----------------------------------------------------------------------------------------------

const uploadFields = {};

function buildFileFields() {
  const container = byId("file-fields");
  fileInputs = {};
  for (const variant of kind.variants) {
    const id = `file-${variant}`;
    const input = el("input", {
      type: "file",
      id,
      name: variant,
      accept: ".docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      "aria-describedby": `${id}-help`,
    });
    fileInputs[variant] = input;
    container.append(
      el(
        "div",
        { class: "field field-file" },
        el("label", { for: id }, variantLabel(variant)),
        input,
        el("p", { class: "field-error", id: `${id}-error`, hidden: true }),
        el("p", { class: "help", id: `${id}-help` }, `不选则沿用当前启用的${variantLabel(variant)}（${variant}）。`),
      ),
    );
    uploadFields[`files.${variant}`] = new FieldMessage(input, variantLabel(variant));
  }
  const firstInput = fileInputs[kind.variants[0]];
  uploadFields.files = new FieldMessage(byId("files-fieldset"), "模板文件", {
    error: byId("files-error"),
    focusTarget: firstInput,
  });
  uploadFields.reason = new FieldMessage(byId("upload-reason"), "修改说明");
}

async function upload() {
  hideSummary(byId("upload-summary"));
  for (const field of Object.values(uploadFields)) field.clear();
  uploadReport.hidden = true;
  const form = new FormData();
  form.append("reason", byId("upload-reason").value);
  const fileNames = {};
  for (const [variant, input] of Object.entries(fileInputs)) {
    const [file] = input.files;
    if (!file) continue;
    form.append(variant, file, file.name);
    fileNames[variant] = file.name;
  }
  setStatus(uploadStatus, "正在上传并检查（逐项检查后用示例试填模板），请稍候…", "busy");
  let version;
  try {
    version = await (await api(`${base}/versions`, { method: "POST", form })).json();
  } catch (error) {
    setStatus(uploadStatus, "");
    if (error instanceof ApiError && error.problem.report) {
      showUploadReport("检查报告：未通过，没有保存", error.problem.report, fileNames);
    }
    const rejected = error instanceof ApiError && error.status === 422;
    const heading = rejected ? `${chinese(error.problem.detail)}，没有保存` : "未能上传";
    showSummary(byId("upload-summary"), errorEntries(error, uploadFields), heading);
    return;
  }
  uploadForm.reset();
  const errors = Object.values(version.report).reduce((sum, report) => sum + report.errors, 0);
  if (version.activatable) {
    setStatus(uploadStatus, `已保存为第${version.version}版，可以「预览」后「启用」。`, "success");
  } else {
    const text = `已保存为第${version.version}版，但格式检查发现${errors}个错误，改正前不能启用。`;
    setStatus(uploadStatus, text, "warning");
  }
  showUploadReport(`检查报告：第${version.version}版`, version.report, fileNames);
  await loadKind();
  byId("upload-report-title").focus();
}

// --- activation and roll-back -----------------------------------------------------------------------------

const activateReason = new FieldMessage(byId("activate-reason"), "启用原因");
const rollbackReason = new FieldMessage(byId("rollback-reason"), "回退原因");

function openActivation(version, button) {
  if (busy) return;
  activating = { version, button };
  byId("activate-title").textContent = `启用${versionName(version)}`;
  byId("activate-button").textContent = `确认启用${versionName(version)}`;
  byId("activate-reason").value = "";
  activateReason.clear();
  hideSummary(byId("activate-summary"));
  activateForm.hidden = false;
  byId("activate-reason").focus();
}

function closeActivation() {
  const opener = activating?.button;
  activating = null;
  activateForm.hidden = true;
  if (opener?.isConnected) opener.focus();
}

async function changeActive(request, { form, summary, reason, done }) {
  hideSummary(summary);
  reason.clear();
  try {
    const activation = await (await api(request.path, { method: request.method, json: request.body })).json();
    form.reset();
    await loadKind();
    setStatus(versionsStatus, done(activation), "success");
    return activation;
  } catch (error) {
    showSummary(summary, errorEntries(error, { reason }), "未能完成");
    return null;
  }
}

async function activate() {
  const { version } = activating;
  const activation = await changeActive(
    { path: `${base}/active`, method: "PUT", body: { version, reason: byId("activate-reason").value } },
    {
      form: activateForm,
      summary: byId("activate-summary"),
      reason: activateReason,
      done: (a) => `已启用${versionName(a.version)}。新生成的${kind.label}使用这一版本。`,
    },
  );
  if (activation) {
    activating = null;
    activateForm.hidden = true;
    activeSummary.focus();
  }
}

async function rollBack() {
  const activation = await changeActive(
    { path: `${base}/rollback`, method: "POST", body: { reason: byId("rollback-reason").value } },
    {
      form: rollbackForm,
      summary: byId("rollback-summary"),
      reason: rollbackReason,
      done: (a) => `已回退：重新启用${versionName(a.version)}。`,
    },
  );
  if (activation) activeSummary.focus();
}

// --- preview ----------------------------------------------------------------------------------------------

const variantField = new FieldMessage(variantSelect, "预览的格式");

function buildVariantSelect() {
  for (const variant of kind.previewable_variants) {
    variantSelect.append(el("option", { value: variant }, variantLabel(variant)));
  }
  byId("preview-variant-field").hidden = kind.previewable_variants.length < 2;
}

async function preview(version, button) {
  if (previewing) return;
  previewing = true;
  button.setAttribute("aria-disabled", "true");
  hideSummary(versionsSummary);
  variantField.clear();
  const activeVersion = kind.active_version;
  const variant = variantSelect.value;
  byId("preview-title").textContent =
    version === activeVersion
      ? `预览：${versionName(version)}（当前启用）`
      : `预览：${versionName(version)}与当前启用的${versionName(activeVersion)}对照`;
  compare.replaceChildren();
  previewSection.classList.remove("stale");
  previewSection.hidden = false;
  previewSection.setAttribute("aria-busy", "true");
  setStatus(
    previewStatus,
    `正在用LibreOffice按两个版本排版示例并逐页核对格式，需要几秒到十几秒…`,
    "busy",
  );
  byId("preview-title").focus();
  try {
    const query = new URLSearchParams({ variant });
    const result = await (await api(`${base}/versions/${version}/preview?${query}`)).json();
    showComparison(result);
    previewed = {
      active: result.active.version,
      message: previewStatus.textContent,
      kind: previewStatus.dataset.kind,
    };
  } catch (error) {
    previewSection.hidden = true;
    setStatus(previewStatus, "");
    showSummary(versionsSummary, errorEntries(error, { variant: variantField }), "未能生成预览");
  } finally {
    previewing = false;
    previewSection.removeAttribute("aria-busy");
    button.removeAttribute("aria-disabled");
  }
}

/** The two renderings side by side: a heading per column, then page by page (same page, same row), then the checks. */
function showComparison({ candidate, active }) {
  const same = candidate.version === active.version;
  const candidateRole = same ? "当前启用" : "预览的版本";
  const sides = [
    ["candidate", candidate, `${versionName(candidate.version)}（${candidateRole}）`],
    ["active", active, `${versionName(active.version)}（当前启用）`],
  ];
  const count = Math.max(candidate.pages, active.pages);
  const cells = sides.map(([side, , title]) => el("h3", { class: "compare-head", "data-side": side }, title));
  for (let index = 0; index < count; index += 1) {
    for (const [side, rendered] of sides) {
      const number = index + 1;
      const image = rendered.page_images[index];
      const caption = `${versionName(rendered.version)} 第${number}页／共${rendered.pages}页`;
      cells.push(
        el(
          "figure",
          { class: "preview-page compare-page", "data-side": side, "data-page": String(number) },
          image
            ? el("img", { src: image, alt: `${versionName(rendered.version)} 第${number}页` })
            : el("div", { class: "page-placeholder page-missing" }, `没有第${number}页`),
          el("figcaption", {}, image ? caption : `${versionName(rendered.version)}只有${rendered.pages}页`),
        ),
      );
    }
  }
  for (const [side, rendered, title] of sides) cells.push(conformanceBlock(side, rendered, title));
  compare.replaceChildren(...cells);
  const differs = candidate.pages !== active.pages;
  const failed = [candidate, active].filter((rendered) => !rendered.conformance.ok);
  if (differs) {
    const pages = (rendered) => `${versionName(rendered.version)}${rendered.pages}页`;
    setStatus(previewStatus, `页数不同：${pages(candidate)}，${pages(active)}。`, "warning");
  } else if (failed.length) {
    setStatus(previewStatus, `共${candidate.pages}页。格式核对发现错误，见每栏下方。`, "warning");
  } else {
    setStatus(previewStatus, `共${candidate.pages}页，两栏逐页对照。`, "success");
  }
}

function conformanceBlock(side, rendered, title) {
  const { conformance } = rendered;
  const summary = conformance.summary || {};
  const perLine = Object.entries(summary.chars_per_full_line || {});
  const lines = (summary.lines_per_page || []).map((n, i) => `第${i + 1}页${n}行`).join("，");
  const facts = [
    ["页数", `${summary.pages ?? rendered.pages}页`],
    ["每页行数", lines || "—"],
    ["满行字数", perLine.map(([chars, count]) => `${chars}字（${count}行）`).join("，") || "没有排满一行的正文"],
    ["字体", (summary.fonts || conformance.fonts || []).join("，") || "—"],
    ["核对结果", verdict(conformance)],
  ];
  const warnings = rendered.layout_warnings || [];
  const headingId = `conformance-${side}`;
  return el(
    "section",
    {
      class: `conformance${conformance.ok ? "" : " conformance-failed"}`,
      "data-side": side,
      "aria-labelledby": headingId,
    },
    el("h4", { id: headingId }, `格式核对：${title}`),
    definitions("meta conformance-summary", facts),
    conformance.findings?.length ? findingList(conformance.findings) : null,
    warnings.length
      ? el("ul", { class: "layout-warnings" }, ...warnings.map((w) => el("li", {}, `排版提示：${chinese(w)}`)))
      : null,
  );
}

function verdict(report) {
  if (!report.ok) return `不符合：${countsText(report)}`;
  return report.warnings || report.notices ? `符合（${countsText(report)}）` : "符合";
}

/** A preview whose "active" column is no longer the active version says so instead of misleading. */
function markStalePreview() {
  if (!previewed || previewSection.hidden) return;
  if (previewed.active === kind.active_version) {
    previewSection.classList.remove("stale");
    setStatus(previewStatus, previewed.message, previewed.kind);
  } else {
    previewSection.classList.add("stale");
    const now = versionName(kind.active_version);
    setStatus(previewStatus, `当前启用的已改为${now}，这份对照已过时，请重新「预览」。`, "warning");
  }
}

// --- wiring -----------------------------------------------------------------------------------------------

uploadForm.addEventListener("submit", (event) => {
  event.preventDefault();
  exclusively([byId("upload-button")], upload);
});
activateForm.addEventListener("submit", (event) => {
  event.preventDefault();
  if (activating) exclusively([byId("activate-button")], activate);
});
byId("activate-cancel").addEventListener("click", closeActivation);
activateForm.addEventListener("keydown", (event) => {
  if (event.key === "Escape") closeActivation();
});
rollbackForm.addEventListener("submit", (event) => {
  event.preventDefault();
  exclusively([byId("rollback-button")], rollBack);
});

async function load() {
  try {
    await loadKind();
  } catch (error) {
    const missing = error instanceof ApiError && error.status === 404;
    const message = missing ? "没有这种文书。" : problemEntries(error)[0].message;
    setStatus(status, `无法载入模板：${message}`, "error");
    return;
  }
  setStatus(status, "");
  byId("kind-content").hidden = false;
}

load();
