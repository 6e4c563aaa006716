"""The 统一社会信用代码 (Unified Social Credit Identifier, GB 32100-2015) every legal entity in China carries.

Eighteen characters from ``0-9 A-H J-N P-R T-U W-Y`` (no I, O, Z, S or V):

==========  ==========================================================================================
position    meaning
==========  ==========================================================================================
1           registration authority (1 机构编制, 5 民政, 9 市场监管/工商, Y 其他 …)
2           category within that authority (1 机关/企业, 2 事业单位/个体工商户 …)
3–8         administrative division code of the registering office (digits, ``650100`` = 乌鲁木齐)
9–17        organization code (GB 11714): eight characters and their own check character at 17
18          check character over the first seventeen (GB 32100)
==========  ==========================================================================================

The 18th character: each of the first seventeen has a value (its index in ``CHARSET``, 0–30) and a weight
``3^i mod 31``; the check value is ``31 - (Σ value·weight mod 31)``, 31 counting as 0. The organization
code's check (position 17): values of the eight characters before it (digits as such, letters ``A``=10 …
``Z``=35, their place in the Latin alphabet), weights 3 7 9 10 5 8 4 2, check ``11 - (Σ mod 11)`` with 10
written ``X`` and 11 written ``0``.

``validate_credit_code`` normalizes what a person typed (spaces removed, letters upper-cased) and refuses,
with a message in Chinese and English, a wrong length, a full-width or invalid character, a division code
that is not digits and a wrong 18th character; it returns the code in its canonical form. The organization
code's own check (character 17) is made only when asked (``check_organization_code=True``): the algorithm is
certain, but not that every code ever issued obeys it — a registry should not turn away a real provider on
it. (A few codes issued in the pilot areas before the standard, reportedly some in 福建, even fail the
18th-character check; they are refused, as the standard says.)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import InvalidDataError

#: The characters a code may contain; a character's value is its index here.
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
LENGTH = 18
WEIGHTS = tuple(pow(3, i, 31) for i in range(LENGTH - 1))  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, …
ORGANIZATION_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

_VALUE = {ch: i for i, ch in enumerate(CHARSET)}

WRONG_CHECK = "统一社会信用代码校验位错误 / The unified social credit code's check character is wrong"
WRONG_ORGANIZATION_CHECK = (
    "统一社会信用代码第9至17位（组织机构代码）校验位错误 / The organization code inside the unified social "
    "credit code (characters 9 to 17) has a wrong check character"
)
WRONG_DIVISION = (
    "统一社会信用代码第3至8位（行政区划码）应为数字 / Characters 3 to 8 of the unified social credit code "
    "(the administrative division code) must be digits"
)
EMPTY = "统一社会信用代码不能为空 / The unified social credit code is empty"
NOT_TEXT = "统一社会信用代码应为文本 / The unified social credit code must be text"


def wrong_length(length: int) -> str:
    return (
        f"统一社会信用代码应为18位，现为{length}位 / "
        f"The unified social credit code must have 18 characters, not {length}"
    )


def full_width(characters: str) -> str:
    return (
        f"统一社会信用代码含全角字符「{characters}」，请用半角字符输入 / "
        f"The unified social credit code contains full-width characters ({characters}); type them half-width"
    )


def invalid_characters(characters: str) -> str:
    return (
        f"统一社会信用代码含无效字符「{characters}」（只可用数字和除 I、O、Z、S、V 以外的大写字母） / "
        f"The unified social credit code contains invalid characters ({characters}); only digits and the "
        "letters other than I, O, Z, S and V are used"
    )


@dataclass(frozen=True)
class CreditCode:
    """A valid code taken apart."""

    code: str

    @property
    def registration_authority(self) -> str:
        return self.code[0]

    @property
    def category(self) -> str:
        return self.code[1]

    @property
    def division(self) -> str:
        return self.code[2:8]

    @property
    def organization_code(self) -> str:
        """The GB 11714 organization code as usually written, ``XXXXXXXX-C``."""
        return f"{self.code[8:16]}-{self.code[16]}"


def check_character(first17: str) -> str:
    """The GB 32100 check character (position 18) of the seventeen characters before it."""
    if len(first17) != LENGTH - 1 or any(ch not in _VALUE for ch in first17):
        raise ValueError(f"not the first 17 characters of a credit code: {first17!r}")
    total = sum(_VALUE[ch] * weight for ch, weight in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def organization_check_character(body: str) -> str:
    """The GB 11714 check character of an organization code's first eight characters."""
    if len(body) != len(ORGANIZATION_CODE_WEIGHTS) or not (body.isascii() and body.isalnum()):
        raise ValueError(f"not the first 8 characters of an organization code: {body!r}")
    total = sum(int(ch, 36) * weight for ch, weight in zip(body.upper(), ORGANIZATION_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def compose_credit_code(prefix: str, organization_body: str) -> str:
    """A code from its first eight characters (authority, category, division) and the organization code's
    first eight, with both check characters computed (demo data and tests)."""
    first17 = prefix + organization_body + organization_check_character(organization_body)
    return validate_credit_code(first17 + check_character(first17), check_organization_code=True)


def normalize(value: str) -> str:
    """What a person typed, without any spaces and upper-cased (ASCII letters only)."""
    text = "".join(value.split())
    return text.upper() if text.isascii() else text


def validate_credit_code(value: object, *, field: str = "credit_code", check_organization_code: bool = False) -> str:
    """The code in canonical form, or ``InvalidDataError`` naming ``field`` with every problem found.

    ``check_organization_code=True`` also makes the GB 11714 check of character 17; the GB 32100 check of
    character 18 is always made.
    """
    problems = credit_code_problems(value, check_organization_code=check_organization_code)
    if problems:
        raise InvalidDataError(problems[0], {field: problems})
    assert isinstance(value, str)
    return normalize(value)


def is_valid_credit_code(value: object, *, check_organization_code: bool = False) -> bool:
    return not credit_code_problems(value, check_organization_code=check_organization_code)


def credit_code_problems(value: object, *, check_organization_code: bool = False) -> list[str]:
    """Every message for what is wrong with ``value`` (empty when it is a valid code)."""
    if not isinstance(value, str):
        return [NOT_TEXT]
    code = normalize(value)
    if not code:
        return [EMPTY]
    problems = []
    wide = _unique(ch for ch in code if "\uff01" <= ch <= "\uff5e")
    if wide:
        problems.append(full_width(wide))
    invalid = _unique(ch for ch in code if ch not in _VALUE and not "\uff01" <= ch <= "\uff5e")
    if invalid:
        problems.append(invalid_characters(invalid))
    if len(code) != LENGTH:
        problems.append(wrong_length(len(code)))
    if problems:
        return problems
    if not code[2:8].isdigit():
        problems.append(WRONG_DIVISION)
    if check_character(code[:17]) != code[17]:
        problems.append(WRONG_CHECK)
    elif check_organization_code and organization_check_character(code[8:16]) != code[16]:
        problems.append(WRONG_ORGANIZATION_CHECK)
    return problems


def parse_credit_code(value: str, *, field: str = "credit_code") -> CreditCode:
    return CreditCode(validate_credit_code(value, field=field))


def _unique(characters: Iterable[str]) -> str:
    """The characters in first-seen order, each once."""
    return "".join(dict.fromkeys(characters))
