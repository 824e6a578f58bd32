// The meetings page: the registry's meetings, newest first, and a form to create one.

import { ApiError, api, formatDateTime } from "./api.js";
import { createSchemaForm, el } from "./form.js";
import { hideSummary, problemEntries, setStatus, showSummary } from "./page.js";

const PER_PAGE = 20;
const byId = (id) => document.getElementById(id);
const table = byId("meeting-table");
const status = byId("status");
const pager = byId("pager");
const formElement = byId("meeting-form");
const summary = byId("error-summary");
const createStatus = byId("create-status");
const createButton = byId("create-button");
const page = Math.max(1, Number(new URLSearchParams(location.search).get("page")) || 1);

function row(meeting) {
  return el(
    "tr",
    {},
    el("th", { scope: "row" }, el("a", { href: `/meetings/${encodeURIComponent(meeting.id)}` }, meeting.title)),
    el("td", { class: "nowrap" }, formatDateTime(meeting.start) || "—"),
    el("td", {}, meeting.location || "—"),
    el("td", {}, meeting.organizer || "—"),
  );
}

function pageLink(number, text, rel) {
  return el("a", { href: `?page=${number}`, rel, class: "button-link" }, text);
}

async function loadList() {
  try {
    const listing = await (await api(`/api/v1/meetings?page=${page}&per_page=${PER_PAGE}`)).json();
    const pagesTotal = Math.max(1, Math.ceil(listing.total / listing.per_page));
    if (!listing.items.length) {
      setStatus(status, page > 1 ? "这一页没有会议。" : "还没有会议，请在右侧新建。", "info");
    } else {
      setStatus(status, "");
      table.tBodies[0].replaceChildren(...listing.items.map(row));
      table.hidden = false;
    }
    if (pagesTotal > 1) {
      pager.replaceChildren(
        page > 1 ? pageLink(page - 1, "上一页", "prev") : "",
        el("span", { "aria-current": "page" }, `第${page}页／共${pagesTotal}页`),
        page < pagesTotal ? pageLink(page + 1, "下一页", "next") : "",
      );
      pager.hidden = false;
    }
  } catch (error) {
    setStatus(status, `无法载入会议：${problemEntries(error)[0].message}`, "error");
  }
}

/** The create form is generated from the API's own description of a new meeting (OpenAPI NewMeeting). */
async function loadForm() {
  const spec = await (await api("/api/v1/openapi.json")).json();
  const schema = spec.components.schemas.NewMeeting;
  const form = createSchemaForm(schema, byId("meeting-fields"));
  let busy = false;
  formElement.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) return;
    busy = true;
    createButton.setAttribute("aria-disabled", "true");
    hideSummary(summary);
    form.clearErrors();
    setStatus(createStatus, "正在新建…", "busy");
    try {
      const meeting = await (await api("/api/v1/meetings", { method: "POST", json: form.value() })).json();
      setStatus(createStatus, "已新建，正在打开会议…", "success");
      location.assign(`/meetings/${encodeURIComponent(meeting.id)}`);
    } catch (error) {
      setStatus(createStatus, "");
      if (error instanceof ApiError && Object.keys(error.errors).length) {
        showSummary(summary, form.showErrors(error.errors), "请更正以下问题");
      } else {
        showSummary(summary, problemEntries(error), "未能新建会议");
      }
    } finally {
      busy = false;
      createButton.removeAttribute("aria-disabled");
    }
  });
}

loadList();
loadForm().catch((error) => setStatus(createStatus, `无法载入表单：${problemEntries(error)[0].message}`, "error"));
