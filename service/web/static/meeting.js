// One meeting's page: what it is, and the documents registered for it with their files.

import { api, formatDate, formatDateTime } from "./api.js";
import { el } from "./form.js";
import { problemEntries, setStatus } from "./page.js";

const byId = (id) => document.getElementById(id);
const meetingId = byId("meeting-page").dataset.meeting;
const status = byId("status");
const table = byId("document-table");

function metaEntry(term, value) {
  return value ? [el("dt", {}, term), el("dd", {}, value)] : [];
}

function hidden(text) {
  return el("span", { class: "visually-hidden" }, text);
}

function fileLinks(document_) {
  const name = `：${document_.title}`;
  const pdf = document_.files.pdf.url;
  return el(
    "td",
    {},
    el(
      "div",
      { class: "file-links" },
      el("a", { href: document_.files.docx.url, download: "" }, "下载DOCX", hidden(name)),
      el("a", { href: pdf, download: "" }, "下载PDF", hidden(name)),
      el(
        "a",
        { href: `${pdf}?disposition=inline#zoom=100`, target: "_blank", rel: "noopener", class: "print-link" },
        "打开PDF打印",
        hidden(`${name}（新标签页）`),
      ),
    ),
  );
}

function documentRow(document_, labels) {
  return el(
    "tr",
    {},
    el("td", { class: "nowrap" }, labels[document_.kind] || document_.kind),
    el("td", {}, document_.secrecy ? el("span", { class: "secrecy" }, document_.secrecy) : "—"),
    el("td", { class: "doc-number" }, document_.doc_number || "—"),
    el("th", { scope: "row" }, document_.title),
    el("td", { class: "nowrap" }, formatDate(document_.document_date)),
    el("td", { class: "numeric" }, document_.pages == null ? "—" : String(document_.pages)),
    fileLinks(document_),
  );
}

async function load() {
  try {
    const [meeting, { kinds }] = await Promise.all([
      api(`/api/v1/meetings/${encodeURIComponent(meetingId)}`).then((r) => r.json()),
      api("/api/v1/document-kinds").then((r) => r.json()),
    ]);
    const labels = Object.fromEntries(kinds.map((kind) => [kind.name, kind.label]));
    document.title = `${meeting.title} · 会务公文服务`;
    byId("meeting-title").textContent = meeting.title;
    byId("crumb").textContent = meeting.title;
    const meta = byId("meeting-meta");
    meta.replaceChildren(
      ...metaEntry("开始时间", formatDateTime(meeting.start)),
      ...metaEntry("会议地点", meeting.location),
      ...metaEntry("主办单位", meeting.organizer),
      ...metaEntry("备注", meeting.notes),
    );
    meta.hidden = !meta.children.length;
    table.tBodies[0].replaceChildren(...meeting.documents.map((d) => documentRow(d, labels)));
    table.hidden = !meeting.documents.length;
    byId("no-documents").hidden = Boolean(meeting.documents.length);
    byId("documents").hidden = false;
    setStatus(status, "");
  } catch (error) {
    setStatus(status, `无法载入会议：${problemEntries(error)[0].message}`, "error");
  }
}

load();
