// The form of one document kind: fill, validate, preview every page, download, print, register to a meeting.

import { ApiError, api, chinese, fileNameOf, jsonHeader, newUuid, saveBlob } from "./api.js";
import { createSchemaForm, el } from "./form.js";
import { hideSummary, problemEntries, setStatus, showSummary } from "./page.js";

const root = document.getElementById("kind-page");
const kindName = root.dataset.kind;
const kindPath = encodeURIComponent(kindName);
const byId = (id) => document.getElementById(id);
const formElement = byId("document-form");
const summary = byId("error-summary");
const status = byId("status");
const notes = byId("notes");
const buttons = {
  validate: byId("validate-button"),
  preview: byId("preview-button"),
  docx: byId("docx-button"),
  pdf: byId("pdf-button"),
  print: byId("print-button"),
  prefill: byId("prefill-button"),
  issue: byId("issue-button"),
};
const meetingSelect = byId("meeting-select");
const issueStatus = byId("issue-status");
const previewSection = byId("preview");
const previewStatus = byId("preview-status");
const pages = byId("pages");

// Each PNG renders the whole document again (about a second): two pages at a time keeps both converters busy.
const PREVIEW_PARALLEL = 2;

let kind;
let form;
let busy = false;
let previewRun = 0;
let previewUrls = [];
// One key per intended document: a double click or a retry of the same content is the same issue.
let issueKey = newUuid();

async function load() {
  try {
    kind = await (await api(`/api/v1/document-kinds/${kindPath}`)).json();
  } catch (error) {
    const message = error instanceof ApiError && error.status === 404 ? "没有这种文书。" : problemEntries(error)[0].message;
    setStatus(byId("load-status"), `无法载入表单：${message}`, "error");
    return;
  }
  document.title = `${kind.label} · 会务公文服务`;
  byId("kind-title").textContent = kind.label;
  byId("crumb").textContent = kind.label;
  form = createSchemaForm(kind.schema, byId("fields"), { example: kind.example });
  if (root.dataset.prefill === "true") form.setValue(kind.example);
  byId("load-status").hidden = true;
  byId("form-layout").hidden = false;
  formElement.addEventListener("input", contentChanged);
  formElement.addEventListener("change", contentChanged);
  await loadMeetings(root.dataset.meeting);
}

function contentChanged() {
  issueKey = newUuid();
  if (!previewSection.hidden && !previewSection.classList.contains("stale")) {
    previewSection.classList.add("stale");
    setStatus(previewStatus, "表单已修改，预览不是最新内容，请重新「预览」。", "warning");
  }
}

async function loadMeetings(selected) {
  try {
    const { items } = await (await api("/api/v1/meetings?per_page=100")).json();
    if (selected && !items.some((meeting) => meeting.id === selected)) {
      items.unshift(await (await api(`/api/v1/meetings/${encodeURIComponent(selected)}`)).json());
    }
    for (const meeting of items) meetingSelect.append(el("option", { value: meeting.id }, meeting.title));
    meetingSelect.value = selected || "";
  } catch (error) {
    setStatus(issueStatus, `无法载入会议列表：${problemEntries(error)[0].message}`, "error");
  }
  showIssueButton();
}

function showIssueButton() {
  buttons.issue.hidden = !meetingSelect.value;
}

/** Run one action at a time with the buttons disabled; API errors end up in the summary and next to fields. */
async function run(message, action) {
  if (busy) return;
  busy = true;
  // aria-disabled, not disabled: a disabled button would drop the keyboard focus to the top of the page.
  for (const button of Object.values(buttons)) button.setAttribute("aria-disabled", "true");
  hideSummary(summary);
  form.clearErrors();
  setStatus(status, message, "busy");
  try {
    await action();
  } catch (error) {
    setStatus(status, "");
    reportError(error);
  } finally {
    busy = false;
    for (const button of Object.values(buttons)) button.removeAttribute("aria-disabled");
  }
}

function reportError(error) {
  if (error instanceof ApiError && Object.keys(error.errors).length) {
    const entries = form.showErrors(error.errors);
    const count = entries.length;
    showSummary(summary, entries, `有${count}处需要更正`);
  } else {
    showSummary(summary, problemEntries(error), "未能完成");
  }
}

function render(format, page) {
  const query = new URLSearchParams({ format });
  if (page) query.set("page", String(page));
  return api(`/api/v1/documents/${kindPath}?${query}`, { method: "POST", json: form.value() });
}

/** Corrections (【2026】 → 〔2026〕) and layout warnings the API reported, in the side panel. */
function showNotes(corrections = [], warnings = []) {
  const items = [
    ...corrections.map((c) => el("li", {}, `已更正${c.field ? `（${c.field}）` : ""}：${chinese(c.message)}`)),
    ...warnings.map((w) => el("li", { class: "warning" }, `排版提示：${chinese(w.message)}`)),
  ];
  notes.replaceChildren(...(items.length ? [el("ul", {}, ...items)] : []));
  notes.hidden = !items.length;
}

function notesFrom(response) {
  showNotes(jsonHeader(response, "Gongwen-Corrections"), jsonHeader(response, "Gongwen-Warnings"));
}

async function validate() {
  const response = await api(`/api/v1/documents/${kindPath}/validate`, { method: "POST", json: form.value() });
  const { corrections } = await response.json();
  showNotes(corrections);
  setStatus(status, corrections.length ? "校验通过，生成时将作如下更正。" : "校验通过，可以预览或下载。", "success");
}

async function download(format) {
  const response = await render(format);
  saveBlob(await response.blob(), fileNameOf(response, `${kindName}.${format}`));
  notesFrom(response);
  setStatus(status, `已生成${format.toUpperCase()}，浏览器正在下载。`, "success");
}

/** The PDF in a new tab at 100 %, for printing. The tab opens at the click so no pop-up blocker stops it. */
async function openForPrinting() {
  const tab = window.open("", "_blank");
  if (tab) tab.document.title = "正在生成PDF…";
  try {
    const response = await render("pdf");
    const url = URL.createObjectURL(await response.blob());
    notesFrom(response);
    if (tab) {
      tab.location.href = `${url}#zoom=100`;
      setStatus(status, "PDF已在新标签页打开，请用浏览器的打印功能按实际大小（100%）打印。", "success");
    } else {
      setStatus(status, "浏览器阻止了新标签页，请改用「下载PDF」。", "warning");
    }
    setTimeout(() => URL.revokeObjectURL(url), 10 * 60_000);
  } catch (error) {
    tab?.close();
    throw error;
  }
}

function pageFigure(number, count) {
  return el(
    "figure",
    { class: "preview-page loading", "data-page": String(number), "aria-busy": "true" },
    el("div", { class: "page-placeholder" }, `正在生成第${number}页…`),
    el("figcaption", {}, `第${number}页／共${count}页`),
  );
}

async function fillPage(figure, response, number) {
  const url = URL.createObjectURL(await response.blob());
  previewUrls.push(url);
  const image = el("img", { alt: `第${number}页`, src: url, width: "827", height: "1169" });
  await image.decode().catch(() => {});
  figure.querySelector(".page-placeholder").replaceWith(image);
  figure.classList.remove("loading");
  figure.removeAttribute("aria-busy");
}

async function preview() {
  const run = ++previewRun;
  const first = await render("png", 1);
  const count = Number(first.headers.get("Gongwen-Page-Count") || "1");
  for (const url of previewUrls) URL.revokeObjectURL(url);
  previewUrls = [];
  const figures = Array.from({ length: count }, (_, i) => pageFigure(i + 1, count));
  pages.replaceChildren(...figures);
  previewSection.hidden = false;
  previewSection.classList.remove("stale");
  notesFrom(first);
  await fillPage(figures[0], first, 1);
  setStatus(previewStatus, count > 1 ? `共${count}页，正在生成其余各页…` : "共1页。", "busy");
  byId("preview-title").focus();
  setStatus(status, "");
  let next = 2;
  const worker = async () => {
    while (next <= count && run === previewRun) {
      const number = next++;
      const response = await render("png", number);
      if (run === previewRun) await fillPage(figures[number - 1], response, number);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PREVIEW_PARALLEL, count - 1) }, worker));
  if (run === previewRun) setStatus(previewStatus, `共${count}页，已全部生成。`, "success");
}

async function issue() {
  const meetingId = meetingSelect.value;
  const meetingTitle = meetingSelect.selectedOptions[0].textContent;
  const response = await api(`/api/v1/meetings/${encodeURIComponent(meetingId)}/documents/${kindPath}`, {
    method: "POST",
    json: form.value(),
    headers: { "Idempotency-Key": issueKey },
  });
  const document_ = await response.json();
  showNotes(document_.corrections, jsonHeader(response, "Gongwen-Warnings"));
  setStatus(status, "");
  const number = document_.doc_number ? `，发文字号${document_.doc_number}` : "";
  issueStatus.replaceChildren(
    `已登记到「${meetingTitle}」${number}。`,
    el("a", { href: `/meetings/${encodeURIComponent(meetingId)}`, id: "issued-link" }, "查看会议文件"),
  );
  issueStatus.dataset.kind = "success";
  issueStatus.hidden = false;
  byId("issued-link").focus();
}

function prefill() {
  if (!form.isEmpty() && !window.confirm("用示例内容替换已填写的内容？")) return;
  form.setValue(kind.example);
  contentChanged();
  hideSummary(summary);
  form.clearErrors();
  setStatus(status, "已填入示例，请按实际情况修改。", "info");
  formElement.querySelector("input, select, textarea")?.focus();
}

formElement.addEventListener("submit", (event) => {
  event.preventDefault();
  run("正在校验…", validate);
});
buttons.preview.addEventListener("click", () => run("正在生成预览…", preview));
buttons.docx.addEventListener("click", () => run("正在生成DOCX…", () => download("docx")));
buttons.pdf.addEventListener("click", () => run("正在生成PDF…", () => download("pdf")));
buttons.print.addEventListener("click", () => run("正在生成PDF…", openForPrinting));
buttons.issue.addEventListener("click", () => run("正在登记并生成文书…", issue));
buttons.prefill.addEventListener("click", () => busy || prefill());
meetingSelect.addEventListener("change", () => {
  showIssueButton();
  issueStatus.hidden = true;
});

load();
