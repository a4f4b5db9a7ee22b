"""Versioned rule files: ``<directory>/v<N>.toml``, validated when read, parsed once per process.

The credit rule and the risk rule keep their parameters as data in such files; this module is
how both find, read, check and cache them, so a bad file is refused in the same words either
way: the file and the key are named (``<path>: <key>: <problem>``).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

VERSION_RE = re.compile(r"v[0-9]+")


class Versioned(Protocol):
    @property
    def version(self) -> str: ...


R = TypeVar("R", bound=Versioned)


class RuleFiles(Generic[R]):
    """The rule files of one rule: where they are, how to parse one, which error to raise."""

    def __init__(
        self,
        directory: Path,
        default_version: str,
        parse: Callable[[Mapping[str, Any], str], R],
        error: type[ValueError],
    ) -> None:
        self.directory = directory
        self.default_version = default_version
        self._parse = parse
        self._error = error
        self._cached = cache(self._load)

    def load_from(self, path: Path) -> R:
        """Read and validate one file (not cached); its version must match its file name."""
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
        except OSError as exc:
            raise self._error(f"{path}: version: cannot read the file ({exc})") from None
        except tomllib.TOMLDecodeError as exc:
            raise self._error(f"{path}: (file): not valid TOML: {exc}") from None
        rules = self._parse(data, str(path))
        if rules.version != path.stem:
            raise self._error(f"{path}: version: {rules.version!r} does not match the file name")
        return rules

    def versions(self, directory: Path | None = None) -> list[str]:
        """The versions shipped in ``directory`` (default: the application's rule files)."""
        folder = directory or self.directory
        return sorted(p.stem for p in folder.glob("*.toml") if VERSION_RE.fullmatch(p.stem))

    def load(self, version: str | None = None, directory: Path | None = None) -> R:
        """The validated rules of ``version`` (default: the default version), parsed once."""
        return self._cached(version or self.default_version, directory or self.directory)

    def _load(self, version: str, directory: Path) -> R:
        path = directory / f"{version}.toml"
        if not VERSION_RE.fullmatch(version) or not path.is_file():
            known = self.versions(directory)
            raise self._error(f"{path}: version: unknown rule version {version!r}; known: {known}")
        return self.load_from(path)

    def check(self, directory: Path | None = None) -> R:
        """Load every shipped version; return the default. Start-up check: raises on a bad file."""
        for version in self.versions(directory):
            self.load(version, directory)
        return self.load(None, directory)

    def clear(self) -> None:
        """Forget loaded rules, so the next load reads the files again (tests, tools)."""
        self._cached.cache_clear()
