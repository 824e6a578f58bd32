"""Access control's bodies: signing in, new API keys and users, and the audit log's query."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, fields, validate

from schemas.fields import BaseSchema, Choice, Pattern, Text
from schemas.meeting import QueryInteger
from service.access.roles import Role
from service.errors import bilingual

ROLE_NAMES = tuple(role.value for role in Role)
ROLE_HINT = "、".join(ROLE_NAMES)


class SignInSchema(BaseSchema):
    login = Text(required=True, max_length=64, metadata={"description": "登录名"})
    # Not trimmed or checked for length here: a wrong password gets the same answer whatever its shape.
    password = fields.String(required=True, metadata={"description": "密码"})


class RolesField(fields.List):
    """One or more role names."""

    default_error_messages = {  # noqa: RUF012 - marshmallow reads this class attribute
        "required": bilingual("缺少必填字段", "Missing data for required field."),
        "invalid": bilingual("应为列表", "Not a valid list."),
    }

    def __init__(self, **kwargs: Any) -> None:
        message = bilingual("至少需要一个角色", "at least one role is needed")
        super().__init__(Choice(ROLE_NAMES), required=True, validate=validate.Length(min=1, error=message), **kwargs)


class NewKeySchema(BaseSchema):
    name = Text(required=True, max_length=100, metadata={"description": "密钥名称，如使用它的系统"})
    roles = RolesField(metadata={"description": f"角色：{ROLE_HINT}"})


class NewUserSchema(BaseSchema):
    login = Pattern(
        r"^[A-Za-z0-9][A-Za-z0-9_.@-]{1,63}$",
        required=True,
        hint_zh="登录名应为2至64个字母、数字或_.@-",
        hint_en="2 to 64 letters, digits or _.@-",
        max_length=64,
        metadata={"description": "登录名"},
    )
    name = Text(required=True, max_length=100, metadata={"description": "姓名"})
    roles = RolesField(metadata={"description": f"角色：{ROLE_HINT}"})
    password = fields.String(
        load_default=None, metadata={"description": "密码（至少10个字符）；不填则生成一个，仅在此次应答中给出"}
    )


class AuditQuerySchema(BaseSchema):
    class Meta:
        unknown = EXCLUDE

    page = QueryInteger(minimum=1, maximum=1_000_000, load_default=1)
    per_page = QueryInteger(minimum=1, maximum=200, load_default=50)
    action = Text(max_length=60, load_default=None)
