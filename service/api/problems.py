"""The one place where errors become HTTP responses: RFC 9457 application/problem+json."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, has_request_context, json, request
from werkzeug.exceptions import HTTPException

from service.errors import AuthenticationRequiredError, GongwenError, TemplateRejectedError, bilingual

PROBLEM_MEDIA_TYPE = "application/problem+json"

log = logging.getLogger(__name__)

# Werkzeug's own HTTP errors, said the way ours are (Chinese first, English after).
_HTTP_MESSAGES = {
    400: ("bad_request", "请求无效", "Bad request"),
    404: ("not_found", "找不到该资源", "Not found"),
    405: ("method_not_allowed", "不支持该请求方法", "Method not allowed"),
    413: ("payload_too_large", "请求体过大", "Request body too large"),
    415: ("unsupported_media_type", "请求体应为application/json", "The body must be application/json"),
}


def problem(status: int, code: str, title: str, detail: str, **extra: Any) -> Response:
    body = {
        "type": f"urn:gongwen:problem:{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_MEDIA_TYPE)


def register_problem_handlers(app: Flask) -> None:
    @app.errorhandler(GongwenError)
    def _domain_error(error: GongwenError) -> Response:
        if error.status >= 500:
            log.error("%s: %s", error.code, error.detail, exc_info=error)
        extra = {"report": error.report} if isinstance(error, TemplateRejectedError) else {}
        response = problem(error.status, error.code, error.title, error.detail, errors=error.errors, **extra)
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        if isinstance(error, AuthenticationRequiredError):
            response.headers["WWW-Authenticate"] = 'Bearer realm="gongwen"'
        return response

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        status = error.code or 500
        code, chinese, english = _HTTP_MESSAGES.get(status, ("http_error", "请求失败", error.name))
        detail = bilingual(chinese, english)
        if status == 413:
            # The upload route raises the limit for itself (Flask 3.1's per-request max_content_length).
            limit = request.max_content_length if has_request_context() else app.config["MAX_CONTENT_LENGTH"]
            detail = bilingual(f"请求体超过{limit}字节的上限", f"The body exceeds the limit of {limit} bytes")
        response = problem(status, code, bilingual(chinese, english), detail)
        # RFC 9110 15.5.6: a 405 lists the methods the resource takes (werkzeug keeps them in the error's own headers).
        response.headers.update({k: v for k, v in error.get_headers() if k.lower() == "allow"})
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.exception("unexpected error")
        return problem(
            500,
            "internal_error",
            "内部错误 / Internal error",
            bilingual("服务内部错误，已记录", "Internal error; it has been logged"),
        )
