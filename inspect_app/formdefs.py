"""Load ``field_forms/`` into a :class:`FormRegistry`, and check it.

Layout of the directory (docs/field-forms.md)::

    field_forms/
      <form_key>/v<N>.toml   one published version each; never edited after publication
      violations.toml        the violation catalogue
      lifecycle.toml         form_key → version → open | closing | closed (absent = open)
      published.lock         form_key → version → sha256 of the version's canonical content

The app builds one registry at start-up and keeps it; nothing is cached at module level, so
tests and the CLI can load other directories freely. Command line::

    python -m inspect_app.formdefs check [DIR]   # list problems, exit 1 if any
    python -m inspect_app.formdefs pin [DIR]     # add pins for versions not yet pinned
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from inspect_app.domain.forms import (
    FormDefinition,
    FormDefinitionError,
    FormStatus,
    Violation,
    content_sha256,
    parse_definition,
    parse_violations,
)
from inspect_app.domain.forms.model import JSONObject
from inspect_app.domain.forms.parse import KEY_RE

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "field_forms"
VIOLATIONS_FILE = "violations.toml"
LIFECYCLE_FILE = "lifecycle.toml"
LOCK_FILE = "published.lock"
_VERSION_FILE = re.compile(r"v([1-9][0-9]{0,5})\.toml")
_VERSION_KEY = re.compile(r"[1-9][0-9]{0,5}")
_SHA256 = re.compile(r"[0-9a-f]{64}")

FormId = tuple[str, int]


class FormRegistry:
    """The published form versions, their lifecycle and the violation catalogue."""

    def __init__(
        self, definitions: Mapping[FormId, FormDefinition], violations: Mapping[str, Violation]
    ) -> None:
        self._definitions = dict(sorted(definitions.items()))
        self._hashes = {form_id: content_sha256(d) for form_id, d in self._definitions.items()}
        self._violations = MappingProxyType(dict(violations))

    @property
    def violations(self) -> Mapping[str, Violation]:
        """The violation catalogue by code (read-only)."""
        return self._violations

    def form_keys(self) -> list[str]:
        """Form keys, sorted."""
        return sorted({key for key, _ in self._definitions})

    def versions(self, key: str) -> list[int]:
        """Published versions of ``key``, ascending (empty for an unknown key)."""
        return [version for k, version in self._definitions if k == key]

    def get(self, key: str, version: int) -> FormDefinition | None:
        """The definition of ``(key, version)`` in any status, or None if never published."""
        return self._definitions.get((key, version))

    def latest(self, key: str) -> FormDefinition | None:
        """The highest ``open`` version of ``key``: the one to offer for new work.

        None when the form is unknown or no version is open (closing and closed versions are
        never offered for new work).
        """
        open_versions = [
            d
            for (k, _), d in self._definitions.items()
            if k == key and d.status.offered_for_new_work
        ]
        return open_versions[-1] if open_versions else None

    def status(self, key: str, version: int) -> FormStatus | None:
        """Lifecycle status of ``(key, version)``, or None if it was never published."""
        definition = self.get(key, version)
        return None if definition is None else definition.status

    def sha256(self, key: str, version: int) -> str | None:
        """The content hash of ``(key, version)`` (what ``published.lock`` pins)."""
        return self._hashes.get((key, version))

    def manifest(self) -> list[JSONObject]:
        """Every published version, sorted by key and version, in every status:
        ``[{key, version, status, sha256, title}]``. Clients offer ``open`` ones for new work,
        keep ``closing`` ones to flush their outbox and drop ``closed`` ones."""
        return [
            {
                "key": key,
                "version": version,
                "status": d.status.value,
                "sha256": self._hashes[(key, version)],
                "title": d.title.to_json(),
            }
            for (key, version), d in self._definitions.items()
        ]

    def manifest_sha256(self) -> str:
        """A hash of the manifest (content and lifecycle): a strong ETag for ``GET /forms``."""
        body = json.dumps(self.manifest(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass
class _Scan:
    definitions: dict[FormId, FormDefinition] = field(default_factory=dict)
    violations: dict[str, Violation] = field(default_factory=dict)
    pins: dict[FormId, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    pin_problems: list[str] = field(default_factory=list)
    unpinned: list[FormId] = field(default_factory=list)

    def all_problems(self, *, pins: bool = True) -> list[str]:
        if not pins:
            return list(self.problems)
        unpinned = [
            f"form {key} v{version} is not pinned in {LOCK_FILE}; "
            "run `python -m inspect_app.formdefs pin` to publish it"
            for key, version in self.unpinned
        ]
        return self.problems + self.pin_problems + unpinned


def _read_toml(root: Path, path: Path, problems: list[str]) -> dict[str, object] | None:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        problems.append(f"{path.relative_to(root).as_posix()}: cannot read: {exc}")
        return None


def _versioned_table(
    data: Mapping[str, object], name: str, problems: list[str]
) -> dict[FormId, str]:
    """Read ``[form_key] N = "value"`` tables (lifecycle and lock share this shape)."""
    out: dict[FormId, str] = {}
    for key, table in data.items():
        if not KEY_RE.fullmatch(key) or not isinstance(table, Mapping):
            problems.append(f"{name}: [{key}] must be a table named by a form key")
            continue
        for version, value in table.items():
            if not _VERSION_KEY.fullmatch(version) or not isinstance(value, str):
                problems.append(f'{name}: {key}.{version} must be `N = "…"`')
                continue
            out[(key, int(version))] = value
    return out


def _read_lifecycle(root: Path, problems: list[str]) -> dict[FormId, FormStatus]:
    path = root / LIFECYCLE_FILE
    if not path.exists():
        return {}
    data = _read_toml(root, path, problems)
    statuses: dict[FormId, FormStatus] = {}
    for form_id, value in _versioned_table(data or {}, LIFECYCLE_FILE, problems).items():
        try:
            statuses[form_id] = FormStatus(value)
        except ValueError:
            key, version = form_id
            allowed = ", ".join(s.value for s in FormStatus)
            problems.append(f"{LIFECYCLE_FILE}: {key} v{version}: status must be {allowed}")
    return statuses


def _scan_form_dir(directory: Path, lifecycle: Mapping[FormId, FormStatus], scan: _Scan) -> None:
    key = directory.name
    if not KEY_RE.fullmatch(key):
        scan.problems.append(f"{key}/: a form directory must be named by a form key")
        return
    found = False
    for path in sorted(directory.iterdir()):
        match = _VERSION_FILE.fullmatch(path.name)
        if match is None:
            scan.problems.append(f"{key}/{path.name}: not a version file (v<N>.toml)")
            continue
        found = True
        version = int(match[1])
        data = _read_toml(directory.parent, path, scan.problems)
        if data is None:
            continue
        status = lifecycle.get((key, version), FormStatus.OPEN)
        try:
            scan.definitions[(key, version)] = parse_definition(
                data, key=key, version=version, status=status
            )
        except FormDefinitionError as exc:
            scan.problems.append(str(exc))
    if not found:
        scan.problems.append(f"{key}/: no version files")


def _scan(root: Path) -> _Scan:
    scan = _Scan()
    if not root.is_dir():
        scan.problems.append(f"{root}: not a directory")
        return scan
    violations_data = _read_toml(root, root / VIOLATIONS_FILE, scan.problems)
    if violations_data is not None:
        try:
            scan.violations = parse_violations(violations_data)
        except FormDefinitionError as exc:
            scan.problems.append(str(exc))
    lifecycle = _read_lifecycle(root, scan.problems)
    for entry in sorted(root.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            _scan_form_dir(entry, lifecycle, scan)
        elif entry.name not in (VIOLATIONS_FILE, LIFECYCLE_FILE, LOCK_FILE, "README.md"):
            scan.problems.append(f"{entry.name}: unexpected file in the forms directory")
    for key, version in lifecycle:
        if (key, version) not in scan.definitions:
            scan.problems.append(f"{LIFECYCLE_FILE}: {key} v{version} is not a loaded form")
    if scan.violations:
        for (key, version), definition in sorted(scan.definitions.items()):
            for code in sorted(definition.violation_codes() - scan.violations.keys()):
                scan.problems.append(f"form {key} v{version}: unknown violation code {code}")
    _check_pins(root, scan)
    return scan


def _check_pins(root: Path, scan: _Scan) -> None:
    """A pinned version must exist with exactly its pinned content; every version is pinned."""
    lock = root / LOCK_FILE
    data = _read_toml(root, lock, scan.pin_problems) if lock.exists() else {}
    table = _versioned_table(data or {}, LOCK_FILE, scan.pin_problems)
    for (key, version), digest in table.items():
        if not _SHA256.fullmatch(digest):
            scan.pin_problems.append(f"{LOCK_FILE}: {key} v{version}: not a sha256 hex digest")
            continue
        scan.pins[(key, version)] = digest
    for (key, version), pinned in scan.pins.items():
        definition = scan.definitions.get((key, version))
        if definition is None:
            scan.pin_problems.append(
                f"form {key} v{version} is published (pinned) but its file is missing or invalid"
            )
        elif (actual := content_sha256(definition)) != pinned:
            newest = max(v for k, v in scan.definitions if k == key)
            scan.pin_problems.append(
                f"form {key} v{version}: content changed after publication (pinned {pinned[:12]}…,"
                f" now {actual[:12]}…); restore it and publish the change as v{newest + 1}"
            )
    scan.unpinned = [form_id for form_id in scan.definitions if form_id not in scan.pins]


def check_forms(path: Path | str) -> list[str]:
    """Every problem with the forms directory at ``path``; empty when it may be served.

    Checks: each version file parses (see ``parse_definition``); the violation catalogue
    parses; every violation code a form refers to exists; lifecycle entries name loaded
    versions with a valid status; every version is pinned in ``published.lock`` and its
    content still hashes to the pin; no pinned version has disappeared.
    """
    return _scan(Path(path)).all_problems()


def load_registry(path: Path | str, *, require_pins: bool = True) -> FormRegistry:
    """Load the forms directory, refusing to serve it if :func:`check_forms` finds problems.

    ``require_pins=False`` skips the ``published.lock`` checks, for working on an unpublished
    draft locally; the app and CI always load with pins required.

    :raises FormDefinitionError: listing every problem, one a line.
    """
    scan = _scan(Path(path))
    problems = scan.all_problems(pins=require_pins)
    if problems:
        raise FormDefinitionError(f"{len(problems)} problem(s) in {path}:\n" + "\n".join(problems))
    return FormRegistry(scan.definitions, scan.violations)


def pin_new_versions(path: Path | str) -> list[str]:
    """Publish: add a pin for every version not yet in ``published.lock``; existing pins are
    never changed. Returns ``"key vN sha256"`` for each pin added.

    :raises FormDefinitionError: if the directory has any problem other than missing pins.
    """
    root = Path(path)
    scan = _scan(root)
    blocking = scan.problems + scan.pin_problems
    if blocking:
        raise FormDefinitionError("refusing to pin:\n" + "\n".join(blocking))
    added = {form_id: content_sha256(scan.definitions[form_id]) for form_id in scan.unpinned}
    pins = dict(sorted({**scan.pins, **added}.items()))
    lines = [
        "# Published form versions: sha256 of each version's canonical content",
        "# (inspect_app.domain.forms.content_sha256). Written by `python -m inspect_app.formdefs"
        " pin`.",
        "# A pinned version is immutable: never edit or remove a line; publish a new version.",
    ]
    for key in sorted({k for k, _ in pins}):
        lines += ["", f"[{key}]"]
        lines += [f'{version} = "{digest}"' for (k, version), digest in pins.items() if k == key]
    (root / LOCK_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [f"{key} v{version} {digest}" for (key, version), digest in added.items()]


def main(argv: Sequence[str] | None = None) -> int:
    """``check [DIR]`` or ``pin [DIR]``; DIR defaults to the checkout's ``field_forms/``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in ("check", "pin") or len(args) > 2:
        print("usage: python -m inspect_app.formdefs check|pin [DIR]", file=sys.stderr)
        return 2
    root = Path(args[1]) if len(args) == 2 else DEFAULT_DIR
    if args[0] == "check":
        problems = check_forms(root)
        for problem in problems:
            print(problem)
        return 1 if problems else 0
    try:
        added = pin_new_versions(root)
    except FormDefinitionError as exc:
        print(exc, file=sys.stderr)
        return 1
    for line in added or ["nothing to pin"]:
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
