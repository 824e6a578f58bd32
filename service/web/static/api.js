// Calls to /api/v1 as the signed-in clerk: the session cookie, the CSRF header, problem+json answers.

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export class ApiError extends Error {
  constructor(status, problem) {
    super(chinese(problem.detail || problem.title || `HTTP ${status}`));
    this.status = status;
    this.problem = problem;
    this.errors = problem.errors || {};
  }
}

/** The Chinese half of a "中文 / English" message. */
export function chinese(message) {
  const text = String(message ?? "");
  const cut = text.indexOf(" / ");
  return cut > 0 ? text.slice(0, cut) : text;
}

export function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content ?? "";
}

/** The sign-in page, coming back here afterwards. */
export function signInUrl() {
  const here = location.pathname + location.search;
  // Slashes left readable, as the server's own redirect writes them.
  return `/sign-in?next=${encodeURIComponent(here).replaceAll("%2F", "/")}`;
}

/**
 * fetch() against the API. Answers 2xx as the Response; anything else throws an ApiError carrying
 * the problem's field errors. 401 (not signed in, or the session ended) goes to the sign-in page.
 * `json` sends a JSON body; `form` a FormData as multipart/form-data (files), whose boundary the browser writes.
 */
export async function api(path, { method = "GET", json, form, headers = {}, signInOn401 = true } = {}) {
  const init = { method, headers: { Accept: "application/json", ...headers }, credentials: "same-origin" };
  if (UNSAFE.has(method)) init.headers["X-CSRF-Token"] = csrfToken();
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  } else if (form !== undefined) {
    init.body = form;
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, { title: "无法连接服务器，请检查网络后重试 / The server could not be reached" });
  }
  if (response.ok) return response;
  const problem = await readProblem(response);
  if (response.status === 401 && signInOn401) {
    location.assign(signInUrl());
  }
  const error = new ApiError(response.status, problem);
  error.retryAfter = response.headers.get("Retry-After");
  throw error;
}

async function readProblem(response) {
  const type = response.headers.get("Content-Type") || "";
  if (type.includes("json")) {
    try {
      return await response.json();
    } catch {
      // fall through: a broken body is reported by its status
    }
  }
  return { title: `请求失败（HTTP ${response.status}） / Request failed`, status: response.status };
}

/** The file name a response was sent with: RFC 6266 filename* (UTF-8) first, then filename. */
export function fileNameOf(response, fallback) {
  const header = response.headers.get("Content-Disposition") || "";
  const extended = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
  if (extended) {
    try {
      return decodeURIComponent(extended[1].trim());
    } catch {
      // a malformed escape: use the plain name
    }
  }
  const plain = /filename\s*=\s*"([^"]+)"/i.exec(header);
  return plain ? plain[1] : fallback;
}

/** A header the API sends as percent-encoded UTF-8 JSON (Gongwen-Corrections, Gongwen-Warnings). */
export function jsonHeader(response, name) {
  const raw = response.headers.get(name);
  if (!raw) return [];
  try {
    return JSON.parse(decodeURIComponent(raw));
  } catch {
    return [];
  }
}

/** Save a blob under `name` the way a download link would. */
export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * A random UUID (v4) for Idempotency-Key. crypto.randomUUID exists only on https and localhost;
 * an office intranet often serves plain http, where getRandomValues still works.
 */
export function newUuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const SHANGHAI = "Asia/Shanghai";

/** "2026年12月3日 09:00" in Beijing time, whatever zone the clerk's computer is set to. */
export function formatDateTime(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const parts = new Intl.DateTimeFormat("zh-CN", {
    timeZone: SHANGHAI,
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(date);
  const part = (type) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year")}年${part("month")}月${part("day")}日 ${part("hour")}:${part("minute")}`;
}

/** "2026-11-25" → "2026年11月25日". */
export function formatDate(isoDate) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate || "");
  if (!match) return isoDate || "";
  return `${match[1]}年${Number(match[2])}月${Number(match[3])}日`;
}
