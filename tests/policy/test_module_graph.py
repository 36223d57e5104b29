"""The policy package has no import circle between its modules and no module reaches into another's
private names (issue 16 §1: the change.py <-> flow.py circle and its `_decode`/`_hex` imports)."""
from __future__ import annotations

import ast
from pathlib import Path

import pqzk.policy

PACKAGE = Path(pqzk.policy.__file__).parent


def _imports(path: Path) -> list[tuple[str, list[str], bool]]:
    """(sibling module, names, at module level) for every `from .x import ...` in `path`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(node) for node in tree.body}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            out.append((node.module.split(".")[0], [a.name for a in node.names], id(node) in top))
    return out


def _graph() -> dict[str, set[str]]:
    return {p.stem: {m for m, _, top in _imports(p) if top} for p in PACKAGE.glob("*.py")}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for n in sorted(graph.get(m, ())):
            if state.get(n) == 1:
                return [*stack[stack.index(n):], n]
            if n not in state and (found := visit(n)):
                return found
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state and (found := visit(m)):
            return found
    return None


def test_no_import_circle_between_policy_modules():
    assert _cycle(_graph()) is None, f"import circle: {' -> '.join(_cycle(_graph()))}"


def test_the_cycle_finder_finds_one():
    assert _cycle({"change": {"flow"}, "flow": {"model", "change"}, "model": set()}) == ["change", "flow", "change"]


def test_no_module_imports_another_modules_private_names():
    private = [(p.name, m, n) for p in PACKAGE.glob("*.py") for m, names, _ in _imports(p)
               for n in names if n.startswith("_")]
    assert private == []
