"""Properties of 发文字号: one canonical form, every repair lands on it, every refusal is a bilingual DocNumberError."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.typography.doc_numbers import MAX_SERIAL, DocNumber, DocNumberError, parse_doc_number

CANONICAL = re.compile(r"(?P<prefix>.+)〔(?P<year>\d{4})〕(?P<serial>[1-9]\d*)号", re.DOTALL)
SUGGESTION = re.compile(r"应写作“([^”]*)”")
# Brackets a clerk may put round the year; the parser turns each of them into 〔〕.
YEAR_BRACKETS = [
    ("〔", "〕"),
    ("[", "]"),
    ("【", "】"),
    ("(", ")"),
    ("（", "）"),
    ("〈", "〉"),
    ("［", "］"),
    ("﹝", "﹞"),
]
ALL_BRACKETS = frozenset("〔〕[]【】()（）〈〉［］﹝﹞《》「」『』{}<>〖〗")
SPACES = [" ", "\u3000", "\t", "\n", "\xa0"]
FULL_WIDTH_DIGITS = "０１２３４５６７８９"
FULL_WIDTH = str.maketrans("0123456789", FULL_WIDTH_DIGITS)
ORGAN_CHARACTERS = "青山县政府办发函委组宣统财农教卫"


def is_usable_prefix(text: str) -> bool:
    """What DocNumber takes as a 机关代字: no spaces, brackets or full-width digits, and not digits alone."""
    if any(character.isspace() or character in ALL_BRACKETS or character in FULL_WIDTH_DIGITS for character in text):
        return False
    return not (text.isascii() and text.isdigit())


# Drawn as a list of characters: st.text() would merge these alphabets into one flat set of code points,
# and the organ characters and digits would drown among a million others.
prefixes = (
    st.lists(
        st.sampled_from(ORGAN_CHARACTERS) | st.sampled_from("ABCXYZ0123456789") | st.characters(),
        min_size=1,
        max_size=8,
    )
    .map("".join)
    .filter(is_usable_prefix)
)
doc_numbers = st.builds(
    DocNumber,
    prefix=prefixes,
    year=st.integers(min_value=1949, max_value=2100),
    serial=st.integers(min_value=1, max_value=MAX_SERIAL),
)


def assert_bilingual(message: str) -> None:
    """Chinese first, then " / ", then English: the house format of every message to a clerk."""
    chinese, separator, english = message.partition(" / ")
    assert separator, message
    assert re.search(r"[\u4e00-\u9fff]", chinese), message
    assert re.match(r"[A-Za-z]", english), message


@settings(max_examples=200)
@given(number=doc_numbers)
def test_a_doc_number_reads_back_as_itself_with_nothing_to_correct(number: DocNumber) -> None:
    text = str(number)

    assert parse_doc_number(text) == (number, [])
    match = CANONICAL.fullmatch(text)
    assert match is not None, text
    assert (match["prefix"], int(match["year"]), int(match["serial"])) == (number.prefix, number.year, number.serial)


@st.composite
def slipped(draw: st.DrawFn) -> tuple[DocNumber, str, int]:
    """A DocNumber, the same number as a clerk might type it, and how many kinds of slip went into it."""
    number = draw(doc_numbers)
    opener, closer = draw(st.sampled_from(YEAR_BRACKETS))
    kinds = int((opener, closer) != ("〔", "〕"))
    prefix, year, serial = number.prefix, str(number.year), str(number.serial)
    if draw(st.booleans()):
        prefix, year, serial = (
            "".join(draw(st.sampled_from([character, character.translate(FULL_WIDTH)])) for character in part)
            for part in (prefix, year, serial)
        )
    text = f"{prefix}{opener}{year}{closer}{serial}号"
    kinds += int(any(character in FULL_WIDTH_DIGITS for character in text))
    positions = draw(st.lists(st.integers(min_value=0, max_value=len(text)), max_size=4))
    for position in sorted(positions, reverse=True):
        text = text[:position] + draw(st.sampled_from(SPACES)) + text[position:]
    kinds += int(bool(positions))
    return number, text, kinds


@settings(max_examples=200)
@given(case=slipped())
def test_every_repaired_slip_lands_on_the_canonical_form_and_is_reported(case: tuple[DocNumber, str, int]) -> None:
    number, text, kinds = case

    parsed, corrections = parse_doc_number(text)

    assert parsed == number
    assert len(corrections) == kinds
    # The corrections form a chain from what the clerk typed to the canonical number.
    links = [text, *(correction.corrected for correction in corrections)]
    assert [correction.original for correction in corrections] == links[:-1]
    assert links[-1] == str(number)
    for correction in corrections:
        assert correction.original != correction.corrected
        assert_bilingual(correction.message)


texts = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=st.sampled_from("青政办发第号〔〕[]()（）【】0123456789０１２〇一二九 \u3000"), max_size=20),
    st.builds(
        "".join,
        st.tuples(
            st.sampled_from(["青政办发", "", "2026", "青 政", "青〔", "国发"]),
            st.sampled_from(["〔", "[", "（", "《", ""]),
            st.sampled_from(
                ["2026", "２０２６", "二〇二六", "一九〇〇", "〇〇〇〇", "26", "20266", "1948", "2101", ""]
            ),
            st.sampled_from(["〕", "]", "）", "》", ""]),
            st.sampled_from(["", "第"]),
            st.text(alphabet="0123456789", max_size=6),
            st.sampled_from(["号", "", "号文", "號", "x号"]),
        ),
    ),
    # Absurdly long serials: int() refuses strings of more than 4300 digits with its own ValueError.
    st.integers(min_value=4000, max_value=6000).map(lambda length: f"青政办发〔2026〕{'1' * length}号"),
)


@settings(max_examples=500)
@given(text=texts)
def test_parse_doc_number_either_reads_a_number_or_raises_a_bilingual_doc_number_error(text: str) -> None:
    try:
        number, corrections = parse_doc_number(text)
    except DocNumberError as exc:
        assert isinstance(exc, ValueError)
        assert str(exc) == exc.message
        assert_bilingual(exc.message)
        # A suggested form must itself be a valid number, written canonically.
        for suggestion in SUGGESTION.findall(exc.message):
            _, repairs = parse_doc_number(suggestion)
            assert repairs == [], suggestion
        return

    assert parse_doc_number(str(number)) == (number, [])  # idempotent on its own output
    if not corrections:
        assert text == str(number)  # only the canonical form passes unremarked
    else:
        assert corrections[0].original == text
        assert corrections[-1].corrected == str(number)


@settings(max_examples=200)
@given(
    prefix=st.text(max_size=6),
    year=st.integers(min_value=-(10**6), max_value=10**6),
    serial=st.integers(min_value=-(10**6), max_value=10**6),
)
def test_a_doc_number_is_built_valid_or_refused_with_a_bilingual_doc_number_error(
    prefix: str, year: int, serial: int
) -> None:
    try:
        number = DocNumber(prefix, year, serial)
    except DocNumberError as exc:
        assert_bilingual(exc.message)
        return

    assert 1949 <= number.year <= 2100
    assert number.serial >= 1
    assert parse_doc_number(str(number)) == (number, [])


@pytest.mark.parametrize(
    "text",
    ["青政办发〔一九〇〇〕5号", "青政办发〔〇〇〇〇〕5号", "青政办发〔2026〕第1000000号"],
    ids=["chinese-year-too-early", "chinese-year-zero", "ordinal-serial-too-large"],
)
def test_a_number_that_would_still_be_refused_is_not_suggested(text: str) -> None:
    with pytest.raises(DocNumberError) as raised:
        parse_doc_number(text)

    assert "应写作" not in raised.value.message


def test_the_largest_serial_is_accepted_and_one_more_refused() -> None:
    assert parse_doc_number(f"青政办发〔2026〕{MAX_SERIAL}号")[0].serial == MAX_SERIAL
    with pytest.raises(DocNumberError, match=f"不能大于{MAX_SERIAL} / The serial cannot be larger"):
        parse_doc_number(f"青政办发〔2026〕{MAX_SERIAL + 1}号")
    with pytest.raises(DocNumberError, match="The serial cannot be larger"):
        DocNumber("青政办发", 2026, MAX_SERIAL + 1)


def test_a_prefix_with_full_width_digits_is_refused_since_it_would_not_read_back() -> None:
    with pytest.raises(DocNumberError, match="Digits in the issuing organ's code must be ASCII digits"):
        DocNumber("青０办", 2026, 1)
    assert parse_doc_number("青０办〔2026〕1号")[0] == DocNumber("青0办", 2026, 1)
