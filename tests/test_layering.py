"""Layers point one way (docs/architecture.md): no module imports from a layer above its own,
and the compiled core is reached only through pqzk._native from math/ and groups/."""
import ast
from pathlib import Path

import pqzk

ROOT = Path(pqzk.__file__).resolve().parent

# lower number = lower layer; a module may import its own layer and any lower one
LAYER = {
    "errors": 0, "encoding": 0, "atomicfile": 0, "files": 0, "_native": 0, "_native_ext": 0, "discovery": 0,
    "math": 1, "hashing": 2, "groups": 3,
    "sharing": 4, "dkg": 4, "ot": 4,
    "threshold": 5, "pq": 5, "zk": 5,
    "runtime": 6,
    "policy": 7, "tokens": 7, "risk": 7,
    "node": 8,
    "cli": 9, "__init__": 9,
}
NATIVE_USERS = {"math", "groups", "discovery", "_native"}


def _package(path: Path) -> str:
    rel = path.relative_to(ROOT).parts
    return rel[0].removesuffix(".py")


def _imports(path: Path):
    tree = ast.parse(path.read_text())
    pkg_parts = path.relative_to(ROOT).parent.parts
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:                                   # relative: resolve against the package
                base = list(pkg_parts[: len(pkg_parts) - (node.level - 1)])
                target = base + (node.module.split(".") if node.module else [])
                if not target:                               # `from .. import x` at the top: names are modules
                    for alias in node.names:
                        yield alias.name
                    continue
                yield target[0]
            elif node.module and node.module.split(".")[0] == "pqzk":
                parts = node.module.split(".")
                if len(parts) > 1:
                    yield parts[1]
                else:
                    for alias in node.names:
                        yield alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "pqzk" and len(parts) > 1:
                    yield parts[1]


def test_layers_point_one_way():
    violations = []
    for path in sorted(ROOT.rglob("*.py")):
        src = _package(path)
        if src not in LAYER:
            violations.append(f"{path.relative_to(ROOT)}: module {src!r} has no layer (add it to LAYER)")
            continue
        for target in _imports(path):
            if target not in LAYER:
                continue
            if LAYER[target] > LAYER[src]:
                violations.append(f"{path.relative_to(ROOT)} ({src}) imports {target}")
            if target in ("_native", "_native_ext") and src not in NATIVE_USERS:
                violations.append(f"{path.relative_to(ROOT)} reaches the native core outside math/groups")
    assert not violations, "\n".join(violations)


def test_every_package_has_a_layer():
    packages = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages <= set(LAYER), packages - set(LAYER)
