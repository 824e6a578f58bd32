// The kinds page: every document kind the API renders, each a way into its form.

import { api } from "./api.js";
import { describe, el } from "./form.js";
import { problemEntries, setStatus } from "./page.js";

// The order a meeting's paperwork is written in: before, during and after the meeting, then filing.
const WORKFLOW = [
  "meeting-notice",
  "reply-slip",
  "sign-in-sheet",
  "meeting-brief",
  "meeting-minutes",
  "minutes-feedback-slip",
  "archive-cover",
  "archive-stamp",
];
const list = document.getElementById("kind-list");
const status = document.getElementById("status");
const banner = document.getElementById("meeting-banner");
const meetingId = new URLSearchParams(location.search).get("meeting") || "";

function formUrl(name, example = false) {
  const query = new URLSearchParams();
  if (example) query.set("example", "1");
  if (meetingId) query.set("meeting", meetingId);
  const text = query.toString();
  return `/kinds/${encodeURIComponent(name)}${text ? `?${text}` : ""}`;
}

/** "标题、发文机关、会议、成文日期": what a clerk must have at hand, from the schema's required fields. */
function requiredLabels(schema) {
  const order = schema["x-order"] || Object.keys(schema.properties || {});
  const required = new Set(schema.required || []);
  return order
    .filter((name) => required.has(name))
    .map((name) => describe(schema.properties[name], name).label.replace(/（[^）]*）/g, ""));
}

function card(kind) {
  const titleId = `kind-${kind.name}`;
  const needs = requiredLabels(kind.schema);
  const formats = kind.formats.filter((f) => f !== "png").map((f) => f.toUpperCase());
  return el(
    "li",
    { class: "kind-card" },
    el("h2", { id: titleId }, el("a", { href: formUrl(kind.name), class: "kind-link" }, kind.label)),
    el("p", { class: "kind-needs" }, needs.length ? `必填：${needs.join("、")}` : "无必填项"),
    el(
      "p",
      { class: "kind-meta" },
      ...formats.map((f) => el("span", { class: "tag" }, f)),
      kind.docx_bundle ? el("span", { class: "tag" }, "每单位一份") : null,
    ),
    el(
      "p",
      { class: "kind-actions" },
      el("a", { href: formUrl(kind.name, true), class: "button-link", "aria-describedby": titleId }, "按示例填写"),
    ),
  );
}

async function showMeeting() {
  if (!meetingId) return;
  try {
    const meeting = await (await api(`/api/v1/meetings/${encodeURIComponent(meetingId)}`)).json();
    banner.replaceChildren(
      "为会议 ",
      el("a", { href: `/meetings/${encodeURIComponent(meeting.id)}` }, `「${meeting.title}」`),
      " 添加文书：选择种类后填写，完成后登记到该会议。",
    );
    banner.hidden = false;
  } catch (error) {
    banner.textContent = `找不到要添加文书的会议：${problemEntries(error)[0].message}`;
    banner.hidden = false;
  }
}

async function load() {
  showMeeting();
  try {
    const { kinds } = await (await api("/api/v1/document-kinds")).json();
    const rank = (kind) => (WORKFLOW.includes(kind.name) ? WORKFLOW.indexOf(kind.name) : WORKFLOW.length);
    list.replaceChildren(...kinds.sort((a, b) => rank(a) - rank(b)).map(card));
    setStatus(status, "");
  } catch (error) {
    setStatus(status, `无法载入文书种类：${problemEntries(error)[0].message}`, "error");
  }
}

load();
