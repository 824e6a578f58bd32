"""Fixtures for the rendering tests: a complete notice context and a renderer that opens the result."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from service.config import PROJECT_ROOT
from service.rendering.docx import DocumentProperties, render_docx

from .docx_xml import Rendered

TEMPLATES_DIR = PROJECT_ROOT / "templates" / "meeting-notice"
PROPERTIES = DocumentProperties(
    title="青山县人民政府办公室关于召开全县冬春季安全生产工作会议的通知",
    subject="全县冬春季安全生产工作会议",
    author="青山县人民政府办公室",
    created=datetime(2026, 11, 25, tzinfo=UTC),
)

# The context service/documents builds from shared/examples/meeting-notice.json, written out so these
# tests depend on the template contract only.
EXAMPLE_CONTEXT: dict[str, Any] = {
    "format": "document",
    "copy_no": "",
    "secrecy": "",
    "urgency": "加急",
    "issuer_mark": "青山县人民政府办公室文件",
    "issuer_mark_size": 72,
    "doc_number": "青政办发〔2026〕15号",
    "title_lines": ["青山县人民政府办公室", "关于召开全县冬春季安全生产工作会议的通知"],
    "recipients": "各乡镇人民政府，县政府各部门，各直属单位：",
    "blocks": [
        {
            "hei": "",
            "kai": "",
            "text": "为全面部署今冬明春安全生产工作，经县政府同意，决定召开全县冬春季安全生产工作会议。"
            "现将有关事项通知如下：",
        },
        {"hei": "一、会议时间和地点", "kai": "", "text": ""},
        {"hei": "", "kai": "", "text": "会议时间：2026年12月3日（星期四）上午9:00—11:30。"},
        {"hei": "", "kai": "", "text": "报到时间：2026年12月3日（星期四）上午8:30，报到地点：县行政中心一楼大厅。"},
        {"hei": "", "kai": "", "text": "会议地点：县行政中心三楼第一会议室。"},
        {"hei": "二、参会人员", "kai": "", "text": ""},
        {"hei": "", "kai": "", "text": "1.各乡镇分管安全生产工作负责人、安监站站长。"},
        {
            "hei": "",
            "kai": "",
            "text": "2.县应急管理局、县公安局、县住建局、县交通运输局等县安委会成员单位分管负责人。",
        },
        {"hei": "三、会议议程", "kai": "", "text": ""},
        {"hei": "", "kai": "", "text": "1.通报今年以来全县安全生产形势。"},
        {"hei": "", "kai": "", "text": "2.县应急管理局部署冬春季安全生产大检查工作。"},
        {"hei": "", "kai": "", "text": "3.县政府分管领导讲话。"},
        {"hei": "四、会议要求", "kai": "", "text": ""},
        {"hei": "", "kai": "（一）强化值班值守。", "text": "会议期间各单位要严格落实领导带班和24小时值班制度。"},
        {"hei": "", "kai": "", "text": "联系人：陈晓东，联系电话：0578-2123457。"},
    ],
    "attachments": ["全县冬春季安全生产工作会议参会回执"],
    "signatory": "青山县人民政府办公室",
    "signatory_indent": 790,
    "date": "2026年11月25日",
    "date_indent": 1263,
    "sealed": True,
    "note": "（此件公开发布）",
    "reply_slip": {
        "title": "全县冬春季安全生产工作会议参会回执",
        "instructions": "请于2026年12月1日（星期二）下午5:00前将此回执传真至0578-2123456。",
        "rows": [0, 1, 2, 3, 4, 5, 6, 7],
    },
    "cc": "县委办公室，县人大常委会办公室，县政协办公室。",
    "printed_by": "青山县人民政府办公室",
    "printed_on": "2026年11月25日印发",
    "keep_last_block": False,
    "imprint_page": "same",
}

NoticeContext = Callable[..., dict[str, Any]]
RenderNotice = Callable[[dict[str, Any]], Rendered]


def template_for(context: dict[str, Any]) -> Path:
    return TEMPLATES_DIR / f"{context['format']}.docx"


@pytest.fixture
def notice_context() -> NoticeContext:
    """notice_context(**overrides): the example's context, deep-copied, with top-level keys replaced."""

    def build(**overrides: Any) -> dict[str, Any]:
        context = copy.deepcopy(EXAMPLE_CONTEXT)
        unknown = set(overrides) - set(context)
        assert not unknown, f"not context keys: {unknown}"
        context.update(overrides)
        return context

    return build


@pytest.fixture
def render_notice() -> RenderNotice:
    """Render a context with the built-in template of its format and open the result."""

    def render(context: dict[str, Any]) -> Rendered:
        return Rendered(render_docx(template_for(context), context, PROPERTIES))

    return render
