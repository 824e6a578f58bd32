// The template kinds page: every kind with its active template version, each a way into its versions.

import { api } from "./api.js";
import { el } from "./form.js";
import { problemEntries, setStatus } from "./page.js";

const status = document.getElementById("status");
const table = document.getElementById("kind-table");

function row(kind) {
  return el(
    "tr",
    {},
    el("th", { scope: "row" }, el("a", { href: `/templates/${encodeURIComponent(kind.kind)}` }, kind.label)),
    el("td", {}, el("code", {}, kind.kind)),
    el("td", { class: "numeric nowrap" }, versionName(kind.active_version)),
  );
}

/** "第1版（内置）", "第3版". */
function versionName(version) {
  return version === 1 ? "第1版（内置）" : `第${version}版`;
}

async function load() {
  try {
    const { kinds } = await (await api("/api/v1/templates")).json();
    table.tBodies[0].replaceChildren(...kinds.map(row));
    table.hidden = false;
    setStatus(status, "");
  } catch (error) {
    setStatus(status, `无法载入模板：${problemEntries(error)[0].message}`, "error");
  }
}

load();
