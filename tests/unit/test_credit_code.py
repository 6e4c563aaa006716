"""统一社会信用代码 (GB 32100-2015): real codes pass, each kind of mistake has its own bilingual message."""

from __future__ import annotations

import pytest

from engine.errors import InvalidDataError
from engine.formats import credit_code as cc
from engine.formats.credit_code import (
    WEIGHTS,
    check_character,
    compose_credit_code,
    is_valid_credit_code,
    organization_check_character,
    parse_credit_code,
    validate_credit_code,
)

# Published codes: the standard's worked example, then well-known companies (their check characters were
# computed here by hand and by the code before being written down).
REAL = (
    "91350100M000100Y43",  # GB 32100-2015 example
    "91440300708461136T",  # 深圳市腾讯计算机系统有限公司
    "91330100799655058B",  # 阿里巴巴（中国）有限公司
    "914403001922038216",  # 华为技术有限公司 (all digits)
    "91110108551385082Q",  # 小米科技有限责任公司
    "911100007109250324",  # 中国移动通信集团有限公司
    "91110000600037341L",  # example of python-stdnum
)


def test_the_weights_are_powers_of_three_mod_31() -> None:
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def test_the_textbook_example_computed_step_by_step() -> None:
    # 9 1 3 5 0 1 0 0 M(21) 0 0 0 1 0 0 Y(30) 4, weighted: 9+3+27+135+0+26+0+0+420+0+0+0+8+0+0+900+112 = 1640
    total = sum(cc.CHARSET.index(ch) * w for ch, w in zip("91350100M000100Y4", WEIGHTS, strict=True))
    assert total == 1640 and 31 - total % 31 == 3
    assert check_character("91350100M000100Y4") == "3"
    # organization code M000100Y-4: M=22, Y=34 (Latin alphabet), 66 + 5 + 68 = 139, 11 - 139 % 11 = 4
    assert organization_check_character("M000100Y") == "4"


@pytest.mark.parametrize("code", REAL)
def test_real_codes_are_valid(code: str) -> None:
    assert validate_credit_code(code) == code
    assert is_valid_credit_code(code, check_organization_code=True)


def test_a_check_value_of_31_is_written_0_and_30_is_y() -> None:
    codes = [compose_credit_code("91650100", f"MA{n:06d}") for n in range(400)]
    assert {code[-1] for code in codes} >= {"0", "Y"}
    assert all(is_valid_credit_code(code, check_organization_code=True) for code in codes)
    assert {code[16] for code in codes} >= {"0", "X"}  # the organization code's 11 and 10


def test_typed_codes_are_normalized() -> None:
    assert validate_credit_code(" 9135 0100m000100y43\t") == "91350100M000100Y43"
    assert validate_credit_code("91350100M000100Y43\u3000") == "91350100M000100Y43"
    parsed = parse_credit_code("91440300708461136t")
    assert (parsed.registration_authority, parsed.category, parsed.division) == ("9", "1", "440300")
    assert parsed.organization_code == "70846113-6"


def errors_of(value: object, **options: bool) -> list[str]:
    with pytest.raises(InvalidDataError) as caught:
        validate_credit_code(value, **options)
    assert list(caught.value.errors) == ["credit_code"]
    return caught.value.errors["credit_code"]


def test_a_wrong_check_character_is_refused() -> None:
    assert errors_of("91350100M000100Y44") == [
        "统一社会信用代码校验位错误 / The unified social credit code's check character is wrong"
    ]
    assert errors_of("91350100M000101Y43") == [cc.WRONG_CHECK]  # one typo inside


def test_the_field_is_named_as_asked() -> None:
    with pytest.raises(InvalidDataError) as caught:
        validate_credit_code("123", field="winner_credit_code")
    assert list(caught.value.errors) == ["winner_credit_code"]


@pytest.mark.parametrize("value, length", [("91350100M000100Y4", 17), ("91350100M000100Y433", 19), ("9", 1)])
def test_a_wrong_length_is_refused(value: str, length: int) -> None:
    assert errors_of(value) == [cc.wrong_length(length)]
    assert f"18位，现为{length}位" in cc.wrong_length(length) and f"not {length}" in cc.wrong_length(length)


def test_an_empty_code_or_one_that_is_no_text_is_refused() -> None:
    assert errors_of("  ") == [cc.EMPTY]
    assert errors_of(913501) == [cc.NOT_TEXT]


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_letters_the_standard_leaves_out_are_invalid(letter: str) -> None:
    code = "91350100M000100Y43".replace("M", letter)
    assert errors_of(code) == [cc.invalid_characters(letter)]
    assert "I、O、Z、S、V" in cc.invalid_characters(letter)


def test_punctuation_and_other_scripts_are_invalid_characters() -> None:
    assert errors_of("91350100-M000100Y4") == [cc.invalid_characters("-")]
    assert errors_of("9135010０M000100Y43") == [cc.full_width("０")]
    assert errors_of("913501中00M000100Y4") == [cc.invalid_characters("中")]


def test_full_width_characters_are_refused_with_their_own_message() -> None:
    wide = "".join(chr(ord(ch) + 0xFEE0) for ch in "91350100M000100Y43")  # what a Chinese IME types
    assert errors_of(wide) == [cc.full_width("９１３５０ＭＹ４")]
    assert "全角" in cc.full_width("９") and "half-width" in cc.full_width("９")
    # a full-width character and a wrong length are both told
    assert errors_of("91350100M000100Y４") == [cc.full_width("４"), cc.wrong_length(17)]


def test_the_division_code_is_digits() -> None:
    first17 = "913501A0M000100Y4"
    assert errors_of(first17 + check_character(first17)) == [cc.WRONG_DIVISION]


def test_the_organization_code_check_is_made_when_asked() -> None:
    first17 = "91350100M000100Y5"  # organization code M000100Y-5 (should be -4), 18th character fitted to it
    code = first17 + check_character(first17)
    assert validate_credit_code(code) == code
    assert errors_of(code, check_organization_code=True) == [cc.WRONG_ORGANIZATION_CHECK]


def test_every_message_is_chinese_then_english() -> None:
    messages = [
        cc.WRONG_CHECK,
        cc.WRONG_ORGANIZATION_CHECK,
        cc.WRONG_DIVISION,
        cc.EMPTY,
        cc.NOT_TEXT,
        cc.wrong_length(3),
        cc.full_width("１"),
        cc.invalid_characters("I"),
    ]
    assert len(set(messages)) == len(messages)
    for message in messages:
        chinese, english = message.split(" / ", 1)
        assert "统一社会信用代码" in chinese and english.startswith(("The ", "Characters "))
