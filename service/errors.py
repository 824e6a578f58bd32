"""The one error hierarchy of Gongwen; only service.api turns these into HTTP responses."""

from __future__ import annotations

from collections.abc import Mapping


class GongwenError(Exception):
    """Root of every error the service raises on purpose.

    Each subclass carries the HTTP status it maps to and a stable machine code that clients may
    branch on. Messages are written Chinese first, then English, separated by " / ".
    """

    status: int = 500
    code: str = "internal_error"
    title: str = "内部错误 / Internal error"

    def __init__(self, detail: str, *, errors: Mapping[str, list[str]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors: dict[str, list[str]] = dict(errors or {})


def bilingual(chinese: str, english: str) -> str:
    """One message in the house format: Chinese first, English after."""
    return f"{chinese} / {english}"


class PayloadInvalidError(GongwenError):
    """The request body does not describe a valid document; `errors` is keyed by field path."""

    status = 422
    code = "payload_invalid"
    title = "请求内容不合法 / Invalid request body"


class MalformedBodyError(GongwenError):
    """The request body is not parseable JSON."""

    status = 400
    code = "json_invalid"
    title = "请求体不是有效的JSON / Malformed JSON"


class PageOutOfRangeError(GongwenError):
    """A preview asks for a page the document does not have."""

    status = 422
    code = "page_out_of_range"
    title = "页码超出范围 / Page out of range"


class UnknownDocumentKindError(GongwenError):
    status = 404
    code = "unknown_kind"
    title = "未知的文书种类 / Unknown document kind"


class UnsupportedFormatError(GongwenError):
    status = 400
    code = "unsupported_format"
    title = "不支持的输出格式 / Unsupported output format"


class NotFoundError(GongwenError):
    """A stored thing (meeting, document, file, archive run) that does not exist."""

    status = 404
    code = "not_found"
    title = "未找到 / Not found"


class ConflictError(GongwenError):
    """The request cannot be carried out in the current state of what it touches."""

    status = 409
    code = "conflict"
    title = "状态冲突 / Conflict"


class IdempotencyKeyReusedError(GongwenError):
    """An Idempotency-Key came back with a different request than the one it was first used for."""

    status = 422
    code = "idempotency_key_reused"
    title = "幂等键已用于其他请求 / Idempotency key reused"


class RequestInProgressError(GongwenError):
    """A request with the same Idempotency-Key is still being carried out; retry after `retry_after` s."""

    status = 409
    code = "request_in_progress"
    title = "相同请求正在处理 / Request in progress"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class UploadInvalidError(GongwenError):
    """An uploaded file is not what it claims to be (e.g. not a readable PDF)."""

    status = 422
    code = "upload_invalid"
    title = "上传文件无效 / Invalid upload"


class StorageUnavailableError(GongwenError):
    """The database or the file store cannot be reached or written just now (locked, restarting, disk full)."""

    status = 503
    code = "storage_unavailable"
    title = "存储暂不可用 / Storage unavailable"

    def __init__(self, detail: str, *, retry_after: int = 2) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class TemplateInvalidError(GongwenError):
    """A DOCX template cannot be loaded or does not fit the data contract of its kind."""

    status = 500
    code = "template_invalid"
    title = "模板错误 / Template error"


class TemplateRejectedError(GongwenError):
    """An uploaded template failed its checks; `report` holds every finding per file, with locations."""

    status = 422
    code = "template_rejected"
    title = "模板未通过检查 / Template rejected"

    def __init__(
        self, detail: str, *, errors: Mapping[str, list[str]] | None = None, report: Mapping[str, object] | None = None
    ) -> None:
        super().__init__(detail, errors=errors)
        self.report = dict(report or {})


class RenderError(GongwenError):
    """Filling a template failed for a reason other than the payload."""

    status = 500
    code = "render_failed"
    title = "文书生成失败 / Rendering failed"


class ConfigurationError(GongwenError):
    """Settings read from GONGWEN_* variables are invalid; raised once at start-up."""

    status = 500
    code = "configuration_invalid"
    title = "配置错误 / Invalid configuration"


class ConversionError(GongwenError):
    """LibreOffice could not turn the DOCX into a PDF, even after one retry on a fresh instance."""

    status = 502
    code = "conversion_failed"
    title = "PDF转换失败 / PDF conversion failed"


class ConversionTimeoutError(ConversionError):
    """A conversion exceeded its time limit; the instance was killed and replaced."""

    status = 504
    code = "conversion_timeout"
    title = "PDF转换超时 / PDF conversion timed out"


class BusyError(GongwenError):
    """Every converter is busy and the queue is full; the client should retry after `retry_after` s."""

    status = 503
    code = "busy"
    title = "服务繁忙 / Service busy"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class AuthenticationRequiredError(GongwenError):
    """No credentials, or credentials that are not (or no longer) valid: a revoked key, an ended session."""

    status = 401
    code = "unauthenticated"
    title = "未登录或凭据无效 / Authentication required"


class SignInFailedError(GongwenError):
    """The login and password do not match an active user."""

    status = 401
    code = "sign_in_failed"
    title = "登录失败 / Sign-in failed"


class ForbiddenError(GongwenError):
    """The caller is known but none of its roles may use this route (or the CSRF token is missing)."""

    status = 403
    code = "forbidden"
    title = "无权访问 / Forbidden"


class TooManyAttemptsError(GongwenError):
    """Too many failed sign-ins for this login or from this address; retry after `retry_after` s."""

    status = 429
    code = "too_many_attempts"
    title = "尝试次数过多 / Too many attempts"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
