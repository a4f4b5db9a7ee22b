"""The tablet app's ES modules import each other without a cycle, one way from app.js.

A cycle between ES modules evaluates one of them before the other has finished (its
bindings still in the temporal dead zone), which breaks depending on which module the browser
happens to load first; it also means the layers are not layers. app.js is the composition
root: it imports the screens and registers them with router.js, so nothing may import it, and
screens reach navigation and each other's news through router.js and events.js only.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "static"
APP = STATIC / "field"

# import x from '…'; import {a,\n b} from "…"; import '…'; export {x} from '…'; export * from '…'
STATIC_IMPORT = re.compile(
    r"^[ \t]*(?:import|export)\b(?:[^'\";]*?\bfrom)?\s*(['\"])(?P<spec>[^'\"]+)\1",
    re.MULTILINE | re.DOTALL,
)
# import('…') with a literal: still an edge of the module graph.
DYNAMIC_IMPORT = re.compile(r"\bimport\(\s*(['\"])(?P<spec>[^'\"]+)\1\s*\)")
BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
LINE_COMMENT = re.compile(r"^[ \t]*//.*$", re.MULTILINE)


def strip_comments(source: str) -> str:
    """Drop block comments and whole-line // comments (what the app's files use)."""
    return LINE_COMMENT.sub("", BLOCK_COMMENT.sub("", source))


def imports_of(path: Path, static_root: Path = STATIC) -> list[Path]:
    """The module files ``path`` imports, statically or with a literal dynamic import."""
    source = strip_comments(path.read_text(encoding="utf-8"))
    found = []
    for match in [*STATIC_IMPORT.finditer(source), *DYNAMIC_IMPORT.finditer(source)]:
        spec = match.group("spec")
        if spec.startswith("/static/"):
            target = static_root / spec.removeprefix("/static/")
        elif spec.startswith("."):
            target = path.parent / spec
        else:
            raise AssertionError(f"{path}: bare import {spec!r} (no build step resolves it)")
        found.append(target.resolve())
    return found


def module_graph(app_dir: Path = APP, static_root: Path = STATIC) -> dict[Path, list[Path]]:
    # sw.js is a classic worker script, not a module of the page.
    files = sorted(p.resolve() for p in app_dir.rglob("*.js") if p.name != "sw.js")
    return {path: imports_of(path, static_root) for path in files}


def find_cycles(graph: dict[Path, list[Path]]) -> list[list[Path]]:
    """Every strongly connected component with a cycle (Tarjan), as a sorted list of files."""
    index: dict[Path, int] = {}
    low: dict[Path, int] = {}
    stack: list[Path] = []
    on_stack: set[Path] = set()
    cycles: list[list[Path]] = []
    counter = 0

    def visit(node: Path) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, []):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, []):
                cycles.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return cycles


def _names(paths: list[Path]) -> list[str]:
    return [p.relative_to(STATIC.resolve()).as_posix() for p in paths]


def test_the_app_modules_have_no_import_cycle() -> None:
    graph = module_graph()
    assert len(graph) > 15  # the parser found the app
    assert [_names(cycle) for cycle in find_cycles(graph)] == []


def test_every_import_resolves_to_a_file() -> None:
    for path, targets in module_graph().items():
        for target in targets:
            assert target.is_file(), f"{path.name} imports missing {target}"


def test_nothing_imports_the_composition_root() -> None:
    app = (APP / "app.js").resolve()
    importers = [p for p, targets in module_graph().items() if app in targets]
    assert importers == []


def test_screens_navigate_through_the_router() -> None:
    router = (APP / "router.js").resolve()
    events = (APP / "events.js").resolve()
    graph = module_graph()
    screens = [p for p in graph if p.parent.name == "screens"]
    assert screens
    for screen in screens:
        source = screen.read_text(encoding="utf-8")
        if "navigate(" in source:
            assert router in graph[screen], screen.name
    # app.js wires screens to the router and listens on the one channel.
    assert {router, events} <= set(graph[(APP / "app.js").resolve()])


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"a.js": "import { b } from './b.js';", "b.js": "export const b = 1;"}, []),
        (
            {
                "a.js": "import {\n  b,\n} from './b.js';",
                "b.js": "// import nothing from './a.js'\nexport * from './c.js';",
                "c.js": "export async function f() { return import('./a.js'); }",
            },
            [["a.js", "b.js", "c.js"]],
        ),
        ({"a.js": "/* import './b.js'; */ export const a = 1;", "b.js": "import './a.js';"}, []),
        ({"a.js": "import '/static/field/a.js';"}, [["a.js"]]),
    ],
)
def test_the_cycle_finder_itself(
    tmp_path: Path, files: dict[str, str], expected: list[list[str]]
) -> None:
    app_dir = tmp_path / "field"
    app_dir.mkdir()
    for name, source in files.items():
        (app_dir / name).write_text(source, encoding="utf-8")
    cycles = find_cycles(module_graph(app_dir, tmp_path))
    assert [[p.name for p in cycle] for cycle in cycles] == expected
