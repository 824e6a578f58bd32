// What every page shares: the error summary, status messages, and signing out.

import { ApiError, api, chinese } from "./api.js";
import { el } from "./form.js";

/**
 * Fill the error summary at the top of a form and move the focus to it. Each entry is
 * {label, message, href?, focus?}; entries with a field link to it and focus it when followed.
 */
export function showSummary(summary, entries, heading = "请更正以下问题") {
  const items = entries.map(({ label, message, href, focus }) => {
    const text = label ? `${label}：${message}` : message;
    if (!focus) return el("li", {}, text);
    const link = el("a", { href: href || "#" }, text);
    link.addEventListener("click", (event) => {
      event.preventDefault();
      focus();
    });
    return el("li", {}, link);
  });
  summary.replaceChildren(el("h2", { class: "error-summary-title" }, heading), el("ul", {}, ...items));
  summary.hidden = false;
  summary.focus();
}

export function hideSummary(summary) {
  summary.hidden = true;
  summary.replaceChildren();
}

/** The summary entries for an ApiError that is not about fields (403, 409, 503, …) or a network failure. */
export function problemEntries(error) {
  if (!(error instanceof ApiError)) return [{ message: `出现意外错误：${error.message}` }];
  const { problem, status } = error;
  if (status === 403) return [{ message: `没有权限：${chinese(problem.detail || problem.title)}` }];
  if (status === 503 || status === 429) {
    const wait = error.retryAfter ? `，请${error.retryAfter}秒后再试` : "，请稍后再试";
    return [{ message: `${chinese(problem.detail || problem.title)}${wait}` }];
  }
  const title = chinese(problem.title);
  const detail = chinese(problem.detail);
  return [{ message: detail && detail !== title ? `${title}：${detail}` : title }];
}

/** A status line (role="status") that screen readers announce. kind: "info", "busy", "success", "warning", "error". */
export function setStatus(node, text, kind = "info") {
  node.textContent = text;
  node.dataset.kind = kind;
  node.hidden = !text;
}

function wireSignOut() {
  const button = document.getElementById("sign-out");
  if (!button) return;
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await api("/api/v1/session", { method: "DELETE", signInOn401: false });
    } catch {
      // Already signed out (401) or the server is away: the sign-in page is where to go either way.
    }
    location.assign("/sign-in");
  });
}

wireSignOut();
