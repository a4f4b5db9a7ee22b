"""The password policy: what every place that sets a password accepts.

Applied by ``services.users.create_user`` (the admin page and ``flask users create``) and
``services.accounts.set_password`` (an admin's reset, the password-change page, which also asks
it first to show the reasons). A password is refused when it

* has fewer than :data:`MIN_LENGTH` (10) characters, or more than :data:`MAX_LENGTH` (256:
  the sign-in endpoints read no more);
* is the username, compared case-insensitively (``casefold``);
* is one of :data:`COMMON_PASSWORDS`, case-insensitively, or one character repeated. The
  list is short on purpose: well-known entries of ten or more characters from the top of
  public lists of leaked passwords (the UK NCSC's ``PwnedPasswordsTop100k``, built from Have I
  Been Pwned; the 2011 CSDN leak for Chinese favourites such as ``woaini1314``), not a full
  dictionary;
* begins or ends with a space (the API strips them from what it receives, so such a password
  could never sign in on a tablet), or holds a control character, which no one types.

Length, not composition, is what is asked for (NIST SP 800-63B §5.1.1.2: no composition
rules, a blocklist of common passwords). Problems come with a stable code and English and
Chinese text.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

MIN_LENGTH = 10
MAX_LENGTH = 256

#: Compared after ``casefold()``. Only entries of ``MIN_LENGTH`` or more characters matter:
#: anything shorter is refused for its length anyway.
COMMON_PASSWORDS = frozenset(
    {
        "0123456789",
        "1234567890",
        "0987654321",
        "12345678910",
        "123456789a",
        "a123456789",
        "1234567890a",
        "123456789q",
        "1q2w3e4r5t",
        "1q2w3e4r5t6y",
        "q1w2e3r4t5",
        "qwertyuiop",
        "qwerty1234",
        "qwerty12345",
        "qwerty123456",
        "1qaz2wsx3edc",
        "1qazxsw23edc",
        "zaq12wsxcde3",
        "asdfghjkl;",
        "zxcvbnm123",
        "password12",
        "password123",
        "password1234",
        "password1!",
        "p@ssw0rd123",
        "passw0rd123",
        "iloveyou12",
        "iloveyou123",
        "woaini1314",
        "5201314520",
        "5201314521",
        "1314520520",
        "qq123456789",
        "abc1234567",
        "abcd123456",
        "abcdefghij",
        "administrator",
        "admin12345",
        "admin123456",
        "welcome123",
        "letmein123",
        "changeme123",
        "football123",
        "1234512345",
        "1122334455",
        "1234554321",
        "9876543210",
        "147258369a",
        "1472583690",
    }
)


@dataclass(frozen=True)
class PasswordProblem:
    """One reason a password is refused: a stable ``code`` and the text in both languages."""

    code: str
    en: str
    zh: str

    def message(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "en": self.en, "zh": self.zh}


def _is_common(folded: str) -> bool:
    return folded in COMMON_PASSWORDS or len(set(folded)) == 1


def password_problems(password: str, username: str) -> list[PasswordProblem]:
    """Every reason ``password`` may not be set for ``username`` (empty when acceptable)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(
            PasswordProblem(
                "PASSWORD_TOO_SHORT",
                f"The password needs at least {MIN_LENGTH} characters.",
                f"密码至少需要 {MIN_LENGTH} 个字符。",
            )
        )
    if len(password) > MAX_LENGTH:
        problems.append(
            PasswordProblem(
                "PASSWORD_TOO_LONG",
                f"The password may have at most {MAX_LENGTH} characters.",
                f"密码最多 {MAX_LENGTH} 个字符。",
            )
        )
    folded = password.casefold()
    if username.strip() and folded == username.strip().casefold():
        problems.append(
            PasswordProblem(
                "PASSWORD_IS_USERNAME",
                "The password must not be the username.",
                "密码不能与用户名相同。",
            )
        )
    elif password and _is_common(folded):
        problems.append(
            PasswordProblem(
                "PASSWORD_COMMON",
                "This password is among the most common ones; choose another.",
                "该密码属于最常用密码，请另选一个。",
            )
        )
    if password != password.strip():
        problems.append(
            PasswordProblem(
                "PASSWORD_EDGE_SPACE",
                "The password must not begin or end with a space.",
                "密码不能以空格开头或结尾。",
            )
        )
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in password):
        problems.append(
            PasswordProblem(
                "PASSWORD_CONTROL_CHARACTER",
                "The password must not contain control characters.",
                "密码不能包含控制字符。",
            )
        )
    return problems
