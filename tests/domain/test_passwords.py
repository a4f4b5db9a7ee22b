"""The password policy (inspect_app/domain/passwords.py)."""

from __future__ import annotations

import pytest

from inspect_app.domain.passwords import COMMON_PASSWORDS, MIN_LENGTH, password_problems


def codes(password: str, username: str = "wang.fang") -> list[str]:
    return [p.code for p in password_problems(password, username)]


@pytest.mark.parametrize(
    "password",
    ["correct horse battery", "羊肉摊的秤要校准了吧", "a-brand-new-password-7", "x" * 9 + "y"],
)
def test_long_uncommon_passwords_pass(password: str) -> None:
    assert codes(password) == []


@pytest.mark.parametrize(
    ("password", "username", "expected"),
    [
        ("", "wang.fang", ["PASSWORD_TOO_SHORT"]),
        ("123456789", "wang.fang", ["PASSWORD_TOO_SHORT"]),
        ("a" * 257, "wang.fang", ["PASSWORD_TOO_LONG", "PASSWORD_COMMON"]),
        ("Wang.Fang.1", "wang.fang.1", ["PASSWORD_IS_USERNAME"]),
        ("WANG.FANG.1", " wang.fang.1 ", ["PASSWORD_IS_USERNAME"]),
        ("QWERTYUIOP", "wang.fang", ["PASSWORD_COMMON"]),
        ("woaini1314", "wang.fang", ["PASSWORD_COMMON"]),
        ("zzzzzzzzzzzz", "wang.fang", ["PASSWORD_COMMON"]),
        (" leading-space-pw", "wang.fang", ["PASSWORD_EDGE_SPACE"]),
        ("trailing-space-pw\u3000", "wang.fang", ["PASSWORD_EDGE_SPACE"]),
        ("tab\there-is-a-pw", "wang.fang", ["PASSWORD_CONTROL_CHARACTER"]),
        ("nul\x00in-the-password", "wang.fang", ["PASSWORD_CONTROL_CHARACTER"]),
    ],
)
def test_refusals(password: str, username: str, expected: list[str]) -> None:
    assert codes(password, username) == expected


def test_every_problem_speaks_both_languages() -> None:
    for problem in password_problems(" 1\t", "x"):
        assert problem.en and problem.zh and problem.en != problem.zh
        assert problem.message("en") == problem.en and problem.message("zh") == problem.zh


def test_the_list_holds_only_entries_the_length_rule_lets_through() -> None:
    assert all(len(p) >= MIN_LENGTH and p == p.casefold() for p in COMMON_PASSWORDS)
