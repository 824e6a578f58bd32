// The sign-in page: POST /api/v1/session, then back to the page that sent the clerk here.

import { ApiError, api, chinese } from "./api.js";
import { el } from "./form.js";
import { hideSummary, problemEntries, setStatus, showSummary } from "./page.js";

const form = document.getElementById("sign-in-form");
const summary = document.getElementById("error-summary");
const status = document.getElementById("status");
const button = document.getElementById("sign-in-button");
const FIELDS = {
  login: { input: document.getElementById("login"), error: document.getElementById("login-error"), label: "登录名" },
  password: {
    input: document.getElementById("password"),
    error: document.getElementById("password-error"),
    label: "密码",
  },
};

function clearErrors() {
  hideSummary(summary);
  for (const { input, error } of Object.values(FIELDS)) {
    error.hidden = true;
    error.textContent = "";
    input.removeAttribute("aria-invalid");
    input.removeAttribute("aria-describedby");
    input.closest(".field").classList.remove("has-error");
  }
}

function showErrors(errors, otherEntries = []) {
  const entries = [];
  for (const [name, messages] of Object.entries(errors)) {
    const field = FIELDS[name];
    const texts = messages.map(chinese);
    if (!field) {
      entries.push(...texts.map((message) => ({ message })));
      continue;
    }
    field.error.replaceChildren(el("span", { class: "visually-hidden" }, "错误："), texts.join("；"));
    field.error.hidden = false;
    field.input.setAttribute("aria-invalid", "true");
    field.input.setAttribute("aria-describedby", field.error.id);
    field.input.closest(".field").classList.add("has-error");
    entries.push(
      ...texts.map((message) => ({ label: field.label, message, href: `#${field.input.id}`, focus: () => field.input.focus() })),
    );
  }
  showSummary(summary, [...entries, ...otherEntries], "登录未成功");
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors();
  const login = FIELDS.login.input.value.trim();
  const password = FIELDS.password.input.value;
  const missing = {};
  if (!login) missing.login = ["请输入登录名"];
  if (!password) missing.password = ["请输入密码"];
  if (Object.keys(missing).length) {
    showErrors(missing);
    return;
  }
  button.disabled = true;
  setStatus(status, "正在登录…", "busy");
  try {
    await api("/api/v1/session", { method: "POST", json: { login, password }, signInOn401: false });
    setStatus(status, "登录成功，正在进入…", "success");
    location.assign(form.dataset.next || "/kinds");
  } catch (error) {
    setStatus(status, "");
    button.disabled = false;
    if (error instanceof ApiError && error.status === 429) {
      // The API says how long to wait, in minutes, in its Chinese detail.
      showErrors({}, [{ message: chinese(error.problem.detail) || "登录失败次数过多，请稍后再试" }]);
    } else if (error instanceof ApiError && Object.keys(error.errors).length) {
      showErrors(error.errors);
    } else {
      showErrors({}, problemEntries(error));
    }
  }
});
