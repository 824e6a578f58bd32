"""Upload-time checks of DOCX templates: safe packages only, split tags repaired, Jinja that fits its kind."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import docx
import jinja2
import pytest
from lxml import etree

from service.documents.pipeline import validate_document
from service.errors import TemplateInvalidError
from service.findings import Finding, Location, Report, Severity
from service.rendering.docx import render_docx
from service.rendering.template_check import (
    AnyType,
    ContextContract,
    ListType,
    PackageLimits,
    RecordType,
    ScalarType,
    UnionType,
    check_jinja,
    check_template,
    locate,
    open_package,
    parse_type,
    repair_split_tags,
)
from tests.conftest import load_example

from .conftest import PROPERTIES
from .docx_xml import NS, Rendered, w, xpath
from .finding_checks import codes, only
from .template_files import (
    DOCUMENT,
    DOCUMENT_RELS,
    MIB,
    BuiltinTemplate,
    add_paragraph_after,
    add_relationship,
    builtin_templates,
    contract_for,
    deflated,
    docx_bytes,
    edit_text,
    edit_xml,
    element,
    manifest,
    package_of,
    paragraph_holding,
    raw_package,
    run,
    split_tag,
    zeros,
    zip_of,
)

NOTICE = "meeting-notice"


def where(finding: Finding) -> Location:
    assert finding.location is not None, finding
    return finding.location


def notice_with(edit: Any) -> dict[str, bytes]:
    return edit_xml(package_of(NOTICE), DOCUMENT, edit)


# -- the built-in templates and the contract ---------------------------------------------------------------


@pytest.mark.parametrize("template", builtin_templates(), ids=lambda t: t.id)
def test_every_builtin_template_passes_without_errors_or_warnings(template: BuiltinTemplate):
    package, findings = check_template(template.path.read_bytes(), contract_for(template.kind, template.variant))

    assert package is not None
    assert [f.as_dict() for f in findings] == []


@pytest.mark.parametrize("kind", sorted({t.kind for t in builtin_templates()}))
def test_every_manifest_type_parses_and_prints_back(kind: str):
    variables = manifest(kind)["variables"]
    contract = ContextContract.from_manifest(manifest(kind))

    assert contract.names() == frozenset(variables)
    for name, spec in variables.items():
        assert str(contract.type_of(name)) == spec["type"]


TYPES = {
    "scalar": ("int", ScalarType("int")),
    "list-of-str": ("list[str]", ListType(ScalarType("str"))),
    "list-of-records": (
        "list[{hei: str, kai: str, text: str}]",
        ListType(RecordType((("hei", ScalarType("str")), ("kai", ScalarType("str")), ("text", ScalarType("str"))))),
    ),
    "bare-keys": ("{fonds_no, pages: int}", RecordType((("fonds_no", AnyType()), ("pages", ScalarType("int"))))),
    "nested-list-in-record": (
        "list[{title_lines: list[str]}]",
        ListType(RecordType((("title_lines", ListType(ScalarType("str"))),))),
    ),
}


@pytest.mark.parametrize(("text", "expected"), TYPES.values(), ids=TYPES.keys())
def test_type_strings_parse_to_their_structure(text: str, expected: Any):
    assert parse_type(text) == expected


def test_nullable_record_reads_as_a_union_with_null():
    parsed = parse_type("null | {title: str, rows: list[int]}")

    record = RecordType((("title", ScalarType("str")), ("rows", ListType(ScalarType("int")))))
    assert parsed == UnionType((ScalarType("null"), record))


BAD_TYPES = {
    "unknown-name": ("string", "unknown type 'string'"),
    "unclosed-list": ("list[str", "expected ']'"),
    "empty-list": ("list[]", "unknown type ']'"),
    "duplicate-key": ("{a: str, a: int}", "key 'a' appears twice"),
    "empty-record": ("{}", "expected a key"),
    "dangling-union": ("str |", "expected a type"),
    "two-types": ("str str", "unexpected 'str'"),
    "strange-character": ("list<str>", "unexpected character '<'"),
}


@pytest.mark.parametrize(("text", "complaint"), BAD_TYPES.values(), ids=BAD_TYPES.keys())
def test_unknown_type_syntax_is_a_clear_error(text: str, complaint: str):
    with pytest.raises(TemplateInvalidError) as raised:
        parse_type(text)

    assert complaint in raised.value.detail
    assert text in raised.value.detail


def test_manifest_type_error_names_the_variable():
    broken = {"kind": "x", "variables": {"rows": {"type": "list[{name: str"}}}

    with pytest.raises(TemplateInvalidError, match="variable 'rows'"):
        ContextContract.from_manifest(broken)


# -- split tags ----------------------------------------------------------------------------------------


def test_split_tag_is_joined_into_its_first_run_with_a_notice_locating_it():
    package = notice_with(lambda root: split_tag(root, "{{ issuer_mark }}", ["{", "{ iss", "uer_ma", "rk }}"]))

    repaired, findings = repair_split_tags(package)

    notice = only(findings, "tag_split_repaired")
    assert notice.severity is Severity.NOTICE
    assert "{{ issuer_mark }}" in notice.message and "4" in notice.message
    assert where(notice).text == "{{ issuer_mark }}"
    assert where(notice).part == DOCUMENT
    root = etree.fromstring(repaired[DOCUMENT])
    paragraph = paragraph_holding(root, "{{ issuer_mark }}")
    texts = xpath(paragraph, ".//w:t")
    assert [t.text for t in texts] == ["{{ issuer_mark }}"]
    assert texts[0].get("{http://www.w3.org/XML/1998/namespace}space") == "preserve"
    # the first run's formatting (the red 发文机关标志) is the one kept
    assert [color.get(w("val")) for color in xpath(paragraph, ".//w:r/w:rPr/w:color")] == ["FF0000"]


def test_only_changed_parts_are_rewritten():
    package = notice_with(lambda root: split_tag(root, "{{ doc_number }}", ["{{ doc_", "number }}"]))

    repaired, _ = repair_split_tags(package)

    assert [name for name in package if repaired[name] != package[name]] == [DOCUMENT]


def test_text_around_a_split_tag_stays_where_it_was():
    def edit(root: etree._Element) -> None:
        add_paragraph_after(root, "{{ doc_number }}", run("抄送：{{ c"), run("c }}。", "<w:b/>"), run("完"))

    repaired, findings = repair_split_tags(notice_with(edit))

    paragraph = paragraph_holding(etree.fromstring(repaired[DOCUMENT]), "抄送")
    assert [t.text for t in xpath(paragraph, ".//w:t")] == ["抄送：{{ cc }}", "。", "完"]
    assert xpath(paragraph, ".//w:r[w:t='。']/w:rPr/w:b")  # the rest keeps its own run and formatting
    assert codes(findings) == ["tag_split_repaired"]


def test_deleted_text_and_field_codes_are_never_joined_into_a_tag():
    def edit(root: etree._Element) -> None:
        add_paragraph_after(
            root,
            "{{ doc_number }}",
            run("{{ signa"),
            element('<w:del w:id="1" w:author="a"><w:r><w:delText>zz</w:delText></w:r></w:del>'),
            run("tory }}"),
            element("<w:r><w:instrText>{{ PAGE</w:instrText></w:r>"),
        )

    repaired, findings = repair_split_tags(notice_with(edit))

    paragraph = paragraph_holding(etree.fromstring(repaired[DOCUMENT]), "{{ signatory }}")
    assert [t.text for t in xpath(paragraph, ".//w:t")] == ["{{ signatory }}"]
    assert [t.text for t in xpath(paragraph, ".//w:delText")] == ["zz"]
    assert [t.text for t in xpath(paragraph, ".//w:instrText")] == ["{{ PAGE"]
    assert codes(findings) == ["tag_split_repaired"]


def test_repaired_template_renders_exactly_like_the_original(tmp_path: Path):
    package = notice_with(lambda root: split_tag(root, "{{ issuer_mark }}", ["{{ iss", "uer_ma", "rk }}"]))
    package = edit_xml(
        package,
        DOCUMENT,
        lambda root: split_tag(root, "{%p for block in blocks %}", ["{%p for blo", "ck in blocks %}"]),
    )
    validated = validate_document(NOTICE, load_example(NOTICE))
    context = validated.kind.build_context(validated.data)

    repaired, findings = check_template(docx_bytes(package), contract_for(NOTICE))

    assert repaired is not None
    assert codes(findings) == ["tag_split_repaired", "tag_split_repaired"]
    path = tmp_path / "repaired.docx"
    path.write_bytes(docx_bytes(repaired))
    original = BuiltinTemplate(NOTICE, "document").path
    assert paragraph_texts(render_docx(path, context, PROPERTIES)) == paragraph_texts(
        render_docx(original, context, PROPERTIES)
    )


def paragraph_texts(data: bytes) -> list[str]:
    return ["".join(t.text or "" for t in xpath(p, ".//w:t")) for p in xpath(Rendered(data).document, "//w:p")]


def test_tag_running_into_the_next_paragraph_cannot_be_repaired():
    def edit(root: etree._Element) -> None:
        first = add_paragraph_after(root, "{{ doc_number }}", run("发文：{{ doc_"))
        first.addnext(etree.Element(w("p")))
        first.getnext().append(run("number }}"))

    _, findings = repair_split_tags(notice_with(edit))

    error = only(findings, "tag_spans_paragraphs")
    assert error.severity is Severity.ERROR
    assert where(error).text == "发文：{{ doc_"


def test_brace_ending_one_paragraph_and_brace_starting_the_next_is_a_tag_across_paragraphs():
    def edit(root: etree._Element) -> None:
        first = add_paragraph_after(root, "{{ doc_number }}", run("发文：{"))
        first.addnext(etree.Element(w("p")))
        first.getnext().append(run("{ doc_number }}"))

    _, findings = repair_split_tags(notice_with(edit))

    assert where(only(findings, "tag_spans_paragraphs")).text == "发文：{"


def test_tag_never_closed_is_an_error():
    package = notice_with(lambda root: add_paragraph_after(root, "{{ doc_number }}", run("发文：{{ doc_number")))

    _, findings = repair_split_tags(package)

    error = only(findings, "tag_unclosed")
    assert where(error).text == "发文：{{ doc_number"
    assert "}}" in error.message


# -- locations -----------------------------------------------------------------------------------------


NESTED_TABLES = f"""<w:document xmlns:w="{NS["w"]}"><w:body>
<w:p><w:r><w:t>p1</w:t></w:r></w:p>
<w:tbl><w:tr><w:tc><w:p><w:r><w:t>p2</w:t></w:r></w:p>
  <w:tbl>
    <w:tr><w:tc><w:p><w:r><w:t>p3</w:t></w:r></w:p></w:tc></w:tr>
    <w:tr><w:tc><w:p><w:r><w:t>p4</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>p5</w:t></w:r></w:p></w:tc></w:tr>
  </w:tbl>
  <w:p><w:r><w:t>p6</w:t></w:r></w:p></w:tc>
  <w:tc><w:p><w:r><w:t>p7</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
<w:tbl><w:tr><w:tc><w:p><w:r><w:t>p8</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
</w:body></w:document>"""

LOCATIONS = {
    "body": ("p1", Location(DOCUMENT, 1, "p1")),
    "outer-cell": ("p2", Location(DOCUMENT, 2, "p2", table=1, row=1, cell=1)),
    "inner-table": ("p3", Location(DOCUMENT, 3, "p3", table=2, row=1, cell=1)),
    "inner-second-cell": ("p5", Location(DOCUMENT, 5, "p5", table=2, row=2, cell=2)),
    "outer-after-inner": ("p6", Location(DOCUMENT, 6, "p6", table=1, row=1, cell=1)),
    "outer-second-cell": ("p7", Location(DOCUMENT, 7, "p7", table=1, row=1, cell=2)),
    "third-table": ("p8", Location(DOCUMENT, 8, "p8", table=3, row=1, cell=1)),
}


@pytest.mark.parametrize(("text", "expected"), LOCATIONS.values(), ids=LOCATIONS.keys())
def test_locate_numbers_paragraphs_and_the_innermost_table_cell(text: str, expected: Location):
    root = etree.fromstring(NESTED_TABLES)

    assert locate(DOCUMENT, paragraph_holding(root, text)) == expected


# -- Jinja against the contract ------------------------------------------------------------------------


def test_a_misspelt_variable_is_told_the_names_it_probably_meant():
    package = notice_with(lambda root: add_paragraph_after(root, "{{ doc_number }}", run("{{ signatary }}")))

    error = only(check_jinja(package, contract_for(NOTICE)), "unknown_variable")

    assert "是否应为：signatory" in error.message
    assert "did you mean: signatory" in error.message


def test_unknown_variable_is_named_with_its_paragraph_and_where_to_find_the_known_names():
    package = notice_with(
        lambda root: add_paragraph_after(root, "{{ doc_number }}", run("联系人：{{ unknown_thing }}"))
    )

    error = only(check_jinja(package, contract_for(NOTICE)), "unknown_variable")

    assert "unknown_thing" in error.message
    assert "manifest.json" in error.message
    assert where(error).text == "联系人：{{ unknown_thing }}"
    assert where(error).table is None


def test_unknown_key_of_a_loop_variable_is_named_with_the_record_keys():
    package = edit_text(package_of(NOTICE), DOCUMENT, "{{ block.text }}", "{{ block.heading }}")

    error = only(check_jinja(package, contract_for(NOTICE)), "unknown_variable")

    assert "block.heading" in error.message
    assert "hei, kai, text" in error.message
    assert "{{ block.heading }}" in where(error).text


def test_unknown_key_of_a_nullable_record_is_an_error():
    package = edit_text(package_of(NOTICE), DOCUMENT, "{{ reply_slip.title }}", "{{ reply_slip.heading }}")

    error = only(check_jinja(package, contract_for(NOTICE)), "unknown_variable")

    assert "reply_slip.heading" in error.message and "title, instructions, rows" in error.message


def test_variable_in_a_table_cell_is_located_by_table_row_and_cell():
    def add_cell(root: etree._Element) -> None:
        row = paragraph_holding(root, "{{ row.title }}").getparent().getparent()
        row.append(element('<w:tc><w:p><w:r><w:t xml:space="preserve">{{ row.signature }}</w:t></w:r></w:p></w:tc>'))

    package = edit_xml(package_of("sign-in-sheet"), DOCUMENT, add_cell)

    error = only(check_jinja(package, contract_for("sign-in-sheet")), "unknown_variable")

    assert "row.signature" in error.message
    assert (where(error).table, where(error).row, where(error).cell) == (1, 3, 6)
    assert where(error).text == "{{ row.signature }}"


def test_loop_variable_is_unknown_after_its_loop():
    package = notice_with(lambda root: add_paragraph_after(root, "{{ signatory }}", run("{{ block.text }}")))

    error = only(check_jinja(package, contract_for(NOTICE)), "unknown_variable")

    assert "“block”" in error.message


def test_names_set_in_the_template_and_loop_helpers_are_not_contract_reads():
    def edit(root: etree._Element) -> None:
        add_paragraph_after(
            root,
            "{{ signatory }}",
            run(
                "{% set total = blocks | length %}{% for a, b in [(1, 2)] %}{{ a }}{{ b }}{{ loop.index }}{% endfor %}"
            ),
            run("{{ total }}{{ range(3) | list | length }}{{ title_lines[0] }}{{ (blocks | first).kai }}"),
        )

    assert check_jinja(notice_with(edit), contract_for(NOTICE)) == []


UNSAFE = {
    "dunder-chain": "{{ ''.__class__.__mro__ }}",
    "dunder-item": "{{ signatory['__class__'] }}",
    "format-method": "{{ '{0.__class__}'.format(signatory) }}",
    "mro-call": "{{ signatory.mro() }}",
    "attr-filter": "{{ signatory | attr('__class__') }}",
    "map-attribute": "{{ blocks | map(attribute='__class__') | list }}",
}


@pytest.mark.parametrize("expression", UNSAFE.values(), ids=UNSAFE.keys())
def test_unsafe_expression_is_rejected(expression: str):
    package = notice_with(lambda root: add_paragraph_after(root, "{{ doc_number }}", run(expression)))

    error = only(check_jinja(package, contract_for(NOTICE)), "unsafe_expression")

    assert where(error).text == expression


def test_sandbox_is_the_second_line_behind_the_check(tmp_path: Path):
    escape = "{{ ''.__class__.__mro__[1].__subclasses__() }}"
    package = notice_with(lambda root: add_paragraph_after(root, "{{ doc_number }}", run(escape)))
    path = tmp_path / "escape.docx"
    path.write_bytes(docx_bytes(package))
    validated = validate_document(NOTICE, load_example(NOTICE))

    assert codes(check_jinja(package, contract_for(NOTICE))) == ["unsafe_expression"]
    with pytest.raises(TemplateInvalidError) as raised:
        render_docx(path, validated.kind.build_context(validated.data), PROPERTIES)
    assert isinstance(raised.value.__cause__, jinja2.exceptions.SecurityError)


UNSUPPORTED = {
    "include": "{% include 'other.xml' %}",
    "import": "{% import 'macros' as m %}",
    "extends": "{% extends 'base' %}",
    "column-loop": "{%tc for c in title_lines %}",
    "rich-text": "{{r signatory }}",
    "subdocument": "{{p signatory }}",
}


@pytest.mark.parametrize("tag", UNSUPPORTED.values(), ids=UNSUPPORTED.keys())
def test_unsupported_tag_is_rejected(tag: str):
    package = notice_with(lambda root: add_paragraph_after(root, "{{ doc_number }}", run(tag)))

    assert "unsupported_tag" in codes(check_jinja(package, contract_for(NOTICE)))


def test_text_beside_a_paragraph_tag_is_a_warning_because_docxtpl_drops_it():
    package = edit_text(package_of(NOTICE), DOCUMENT, "{%p if note %}", "附注：{%p if note %}")

    warning = only(check_jinja(package, contract_for(NOTICE)), "tag_drops_text")

    assert warning.severity is Severity.WARNING
    assert where(warning).text == "附注：{%p if note %}"


def test_syntax_error_is_located_at_its_paragraph_in_its_table_cell():
    package = edit_text(package_of(NOTICE), DOCUMENT, "{{ cc }}", "{{ cc ) }}")

    error = only(check_jinja(package, contract_for(NOTICE)), "jinja_syntax")

    assert "unexpected ')'" in error.message
    assert where(error).text == "抄送：{{ cc ) }}"
    assert (where(error).table, where(error).row, where(error).cell) == (2, 2, 1)


def test_syntax_error_in_a_paragraph_that_docxtpl_replaces_by_its_tag_is_located_there():
    package = edit_text(package_of(NOTICE), DOCUMENT, "{%p if note %}", "{%p if note == %}")

    error = only(check_jinja(package, contract_for(NOTICE)), "jinja_syntax")

    assert where(error).text == "{%p if note == %}"


def test_every_broken_tag_of_a_part_is_reported_not_only_the_first():
    package = edit_text(package_of(NOTICE), DOCUMENT, "{{ copy_no }}", "{{ copy_no + }}")
    package = edit_text(package, DOCUMENT, "{{ cc }}", "{{ cc ) }}")
    package = edit_text(package, DOCUMENT, "{{ signatory }}", "{{ signatory | no_such_filter }}")

    errors = [f for f in check_jinja(package, contract_for(NOTICE)) if f.code == "jinja_syntax"]

    # the first as Jinja finds it, the others tag by tag in document order (抄送 is in the 版记, last)
    assert [where(f).text for f in errors] == [
        "{{ copy_no + }}",
        "{{ signatory | no_such_filter }}",
        "抄送：{{ cc ) }}",
    ]
    assert "no_such_filter" in errors[1].message


def test_package_python_docx_cannot_open_is_reported_not_raised():
    package = {name: data for name, data in package_of(NOTICE).items() if name != "_rels/.rels"}

    assert codes(check_jinja(package, contract_for(NOTICE))) == ["not_a_docx"]


def test_footer_is_checked_like_the_document():
    package = edit_xml(
        package_of(NOTICE), "word/footer1.xml", lambda root: xpath(root, "//w:p")[0].append(run("{{ page_total }}"))
    )

    error = only(check_jinja(package, contract_for(NOTICE)), "unknown_variable")

    assert where(error).part == "word/footer1.xml"
    assert "page_total" in error.message


# -- package safety ------------------------------------------------------------------------------------


def bounded(action: Any) -> tuple[Any, float, int]:
    """What `action()` returns, the seconds it took and the most memory it held at once."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = action()
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, elapsed, peak


def test_zip_bomb_is_refused_fast_and_in_bounded_memory():
    data = raw_package(NOTICE, zeros("word/media/image1.png", 1024))  # 1 GiB of zeros in about 1 MB
    assert len(data) < 2 * MIB

    (package, findings), seconds, peak = bounded(lambda: open_package(data))

    assert package is None
    assert codes(findings) == ["zip_bomb"]
    assert where(findings[0]).part == "word/media/image1.png"
    assert seconds < 2
    assert peak < 8 * MIB


def test_an_xml_part_larger_than_its_limit_is_refused_before_any_jinja_is_compiled():
    limits = PackageLimits(max_xml_part_bytes=16 * 1024)  # the notice's document.xml has about 21 KB

    package, findings = open_package(docx_bytes(package_of(NOTICE)), limits)

    assert package is None
    assert codes(findings) == ["part_too_large"]
    assert where(findings[0]).part == DOCUMENT


def test_member_whose_header_understates_its_size_is_refused_having_read_no_more_than_it_declared():
    lying = zeros("word/media/image1.png", 256, declared_size=1000)  # 256 MiB said to be 1000 bytes

    (package, findings), seconds, peak = bounded(lambda: open_package(raw_package(NOTICE, lying)))

    assert package is None
    assert codes(findings) == ["zip_corrupt"]
    assert seconds < 2
    assert peak < 8 * MIB


def test_members_each_within_their_ratio_are_refused_when_together_too_large():
    filler = bytes(range(256)) * (MIB // 256)  # compresses only a little
    members = [deflated(f"word/media/image{n}.bin", filler) for n in range(4)]

    package, findings = open_package(raw_package(NOTICE, *members), PackageLimits(max_unpacked_bytes=3 * MIB))

    assert package is None
    assert codes(findings) == ["zip_bomb"]
    assert "3145728" in findings[0].message


def test_high_ratio_is_allowed_for_small_members():
    package, findings = open_package(raw_package(NOTICE, zeros("word/media/blank.bin", 1)))

    assert package is not None and findings == []


def external_entity(data: bytes) -> bytes:
    doctype = b'<!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    declaration_end = data.index(b"?>") + 2
    return data[:declaration_end] + doctype + data[declaration_end:].replace(b"{{ doc_number }}", b"&x;", 1)


DTDS = {
    "external-entity": (external_entity, "external_entity"),
    "external-dtd": (
        lambda d: d.replace(b"<w:document", b'<!DOCTYPE w:document SYSTEM "http://example.com/a.dtd"><w:document', 1),
        "external_entity",
    ),
    "internal-entities": (
        lambda d: d.replace(
            b"<w:document", b'<!DOCTYPE w:document [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><w:document', 1
        ),
        "doctype",
    ),
    "utf-16-external-entity": (
        lambda d: external_entity(d).decode("utf-8").replace("UTF-8", "UTF-16").encode("utf-16"),
        "external_entity",
    ),
}


@pytest.mark.parametrize(("make", "code"), DTDS.values(), ids=DTDS.keys())
def test_dtd_in_a_part_is_refused_before_any_entity_is_read(make: Any, code: str):
    package = package_of(NOTICE)
    package[DOCUMENT] = make(package[DOCUMENT])

    result, findings = check_template(docx_bytes(package), contract_for(NOTICE))

    assert result is None
    assert codes(findings) == [code]
    assert where(findings[0]).part == DOCUMENT
    secret = Path("/etc/passwd").read_text(encoding="utf-8").splitlines()[0]
    assert secret not in repr([f.as_dict() for f in findings])


EXTERNAL = {
    "linked-image": (DOCUMENT_RELS, "image", "http://example.com/track.png", "external_relationship"),
    "attached-template": (
        "word/_rels/settings.xml.rels",
        "attachedTemplate",
        "file:///srv/share/normal.dotm",
        "external_relationship",
    ),
    "ole-object": (DOCUMENT_RELS, "oleObject", "\\\\server\\share\\x.xls", "external_relationship"),
}


@pytest.mark.parametrize(("part", "kind", "target", "code"), EXTERNAL.values(), ids=EXTERNAL.keys())
def test_external_relationship_is_refused(part: str, kind: str, target: str, code: str):
    package = add_relationship(package_of(NOTICE), part, kind, target)

    result, findings = open_package(docx_bytes(package))

    assert result is None
    assert codes(findings) == [code]
    assert where(findings[0]).part == part


def test_internal_relationship_naming_a_url_is_refused_too():
    package = add_relationship(package_of(NOTICE), DOCUMENT_RELS, "image", "file:///etc/passwd", external=False)

    assert codes(open_package(docx_bytes(package))[1]) == ["external_relationship"]


def test_external_hyperlink_is_only_a_warning():
    package = add_relationship(package_of(NOTICE), DOCUMENT_RELS, "hyperlink", "https://www.gov.cn/")

    result, findings = open_package(docx_bytes(package))

    assert result is not None
    assert codes(findings, Severity.WARNING) == ["external_hyperlink"]


def test_field_that_includes_a_file_is_refused():
    field = '<w:r><w:instrText xml:space="preserve"> INCLUDETEXT "/etc/passwd" </w:instrText></w:r>'
    package = notice_with(lambda root: add_paragraph_after(root, "{{ doc_number }}", run("附："), element(field)))

    result, findings = open_package(docx_bytes(package))

    assert result is None
    assert codes(findings) == ["linked_field"]
    assert where(findings[0]).text == "附："


def test_macros_are_refused():
    package = {**package_of(NOTICE), "word/vbaProject.bin": b"\xd0\xcf\x11\xe0"}

    assert codes(open_package(docx_bytes(package))[1]) == ["macros"]


def test_macro_enabled_document_is_refused():
    main = b"wordprocessingml.document.main+xml"
    package = edit_text(
        package_of(NOTICE), "[Content_Types].xml", main.decode(), "ms-word.document.macroEnabled.main+xml"
    )

    assert codes(open_package(docx_bytes(package))[1]) == ["macros"]


def xlsx() -> bytes:
    types = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
    )
    rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    workbook = '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>'
    return zip_of(
        [
            ("[Content_Types].xml", types.encode()),
            ("_rels/.rels", rels.encode()),
            ("xl/workbook.xml", workbook.encode()),
        ]
    )


NOT_WORD = {
    "not-a-zip": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "not_a_zip"),
    "empty": (b"", "not_a_zip"),
    "xlsx-renamed": (xlsx(), "not_a_docx"),
    "zip-of-text": (zip_of([("readme.txt", b"hello")]), "not_a_docx"),
}


@pytest.mark.parametrize(("data", "code"), NOT_WORD.values(), ids=NOT_WORD.keys())
def test_file_that_is_not_a_word_document_is_refused(data: bytes, code: str):
    result, findings = open_package(data)

    assert result is None
    assert codes(findings) == [code]


def test_renamed_workbook_is_called_a_workbook():
    _, findings = open_package(xlsx())

    assert "Excel" in findings[0].message


def test_upload_over_the_size_limit_is_refused_unread():
    result, findings = open_package(bytes(10 * MIB + 1))

    assert result is None
    assert codes(findings) == ["too_large"]


def test_too_many_members_are_refused_before_zipfile_builds_them():
    data = zip_of((f"word/media/{n}.bin", b"") for n in range(2001))

    (result, findings), _, peak = bounded(lambda: open_package(data))

    assert result is None
    assert codes(findings) == ["too_many_members"]
    assert peak < MIB


UNSAFE_NAMES = ["../evil.xml", "/etc/cron.d/evil", "word/../../evil.xml", "C:/evil.xml", "word\\..\\..\\evil.xml"]


@pytest.mark.parametrize("name", UNSAFE_NAMES)
def test_member_name_leaving_the_package_is_refused(name: str):
    data = zip_of([*package_of(NOTICE).items(), (name, b"<x/>")])

    result, findings = open_package(data)

    assert result is None
    assert codes(findings) == ["unsafe_member_name"]


def test_member_stored_twice_is_refused():
    data = zip_of([*package_of(NOTICE).items(), ("Word/Document.xml", b"<x/>")])

    assert codes(open_package(data)[1]) == ["duplicate_member"]


def test_malformed_xml_part_is_refused():
    package = {**package_of(NOTICE), "word/footer1.xml": b"<w:ftr><w:p></w:ftr>"}

    result, findings = open_package(docx_bytes(package))

    assert result is None
    assert codes(findings) == ["xml_invalid"]
    assert where(findings[0]).part == "word/footer1.xml"


# -- everything at once --------------------------------------------------------------------------------


def test_every_safety_problem_of_an_upload_is_reported_together():
    package = add_relationship(package_of(NOTICE), DOCUMENT_RELS, "image", "http://example.com/x.png")
    package["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0"
    package["word/footer2.xml"] = external_entity(package["word/footer2.xml"])

    result, findings = check_template(docx_bytes(package), contract_for(NOTICE))

    assert result is None
    assert sorted(codes(findings)) == ["external_entity", "external_relationship", "macros"]


def test_every_template_problem_of_an_upload_is_reported_together():
    def edit(root: etree._Element) -> None:
        split_tag(root, "{{ issuer_mark }}", ["{{ issuer", "_mark }}"])
        add_paragraph_after(root, "{{ doc_number }}", run("{{ unknown_thing }}{{ ''.__class__ }}"))

    package = edit_xml(package_of(NOTICE), DOCUMENT, edit)
    package = edit_text(package, DOCUMENT, "{{ block.text }}", "{{ block.heading }}")
    package = edit_xml(
        package, "word/footer2.xml", lambda root: xpath(root, "//w:p")[0].append(run("{{ page_number ) }}"))
    )
    package = add_relationship(package, DOCUMENT_RELS, "hyperlink", "https://www.gov.cn/")

    result, findings = check_template(docx_bytes(package), contract_for(NOTICE))

    assert result is not None
    assert codes(findings) == [
        "external_hyperlink",
        "tag_split_repaired",
        "unknown_variable",
        "unsafe_expression",
        "unknown_variable",
        "jinja_syntax",
    ]
    report = Report.of(findings)
    assert not report.ok
    assert (len(report.errors), len(report.warnings), len(report.notices)) == (4, 1, 1)


def test_repaired_package_opens_in_python_docx():
    package = notice_with(lambda root: split_tag(root, "{{ issuer_mark }}", ["{{ issuer", "_mark }}"]))

    repaired, _ = check_template(docx_bytes(package), contract_for(NOTICE))

    assert repaired is not None
    docx.Document(io.BytesIO(docx_bytes(repaired)))
    assert zipfile.is_zipfile(io.BytesIO(docx_bytes(repaired)))


DEEP = {
    "nested-brackets": "{{ " + "(" * 300 + "1" + ")" * 300 + " }}",
    "filter-chain": "{{ doc_number" + "|trim" * 5000 + " }}",
}


@pytest.mark.parametrize("expression", DEEP.values(), ids=DEEP.keys())
def test_an_expression_nested_past_the_stack_is_a_finding_not_a_crash(expression: str):
    package = notice_with(lambda root: add_paragraph_after(root, "{{ doc_number }}", run(expression)))

    assert "template_too_deep" in codes(check_jinja(package, contract_for(NOTICE)))


BOUNDLESS = {
    "repeated-string": "{{ 'x' * 999999999 }}",
    "repeated-list": "{{ ([1] * 999999999)|length }}",
    "huge-power": "{{ 9 ** 99999999 }}",
    "endless-macro": "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
}


@pytest.mark.parametrize("expression", BOUNDLESS.values(), ids=BOUNDLESS.keys())
def test_a_template_that_would_fill_without_end_is_refused_at_render(tmp_path: Path, expression: str):
    package = notice_with(lambda root: add_paragraph_after(root, "{{ doc_number }}", run(expression)))
    path = tmp_path / "boundless.docx"
    path.write_bytes(docx_bytes(package))
    validated = validate_document(NOTICE, load_example(NOTICE))

    with pytest.raises(TemplateInvalidError):
        render_docx(path, validated.kind.build_context(validated.data), PROPERTIES)
