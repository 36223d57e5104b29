"""The documentation site builds with warnings as errors, and every public name of pqzk has a docstring.

Public names: each public module; in a module with `__all__`, the classes and functions it lists;
without `__all__`, the classes and functions it defines; and the public methods and properties that
a public class defines. A method without its own docstring is documented when the class it
overrides documents it. `pqzk.cli` is checked too (its typer commands take their help text from
their docstrings), though the API reference leaves it out.
"""
from __future__ import annotations

import importlib
import importlib.util
import inspect
import pkgutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

import pqzk
from conftest import require_component

ROOT = Path(__file__).resolve().parents[1]
MKDOCS_YML = ROOT / "mkdocs.yml"
INSTALL = 'pip install ".[docs]" (make test and make docs install it)'


def _public_modules(package: types.ModuleType) -> list[types.ModuleType]:
    """The package and every submodule whose dotted name has no component starting with `_`."""
    mods = [package]
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        mods.append(importlib.import_module(info.name))
    return mods


def _public_objects(mod: types.ModuleType) -> list[tuple[str, object]]:
    if hasattr(mod, "__all__"):
        pairs = [(n, getattr(mod, n)) for n in mod.__all__ if not n.startswith("_")]
    else:
        pairs = [(n, o) for n, o in vars(mod).items()
                 if not n.startswith("_") and getattr(o, "__module__", None) == mod.__name__]
    return [(n, o) for n, o in pairs if inspect.isclass(o) or inspect.isfunction(o)]


def _has_doc(doc: str | None) -> bool:
    return bool(doc and doc.strip())


def _method_doc(cls: type, name: str) -> str | None:
    """The method's own docstring, or that of the nearest class in the MRO that documents it."""
    for klass in cls.__mro__:
        attr = vars(klass).get(name)
        if attr is None:
            continue
        func = attr.__func__ if isinstance(attr, (staticmethod, classmethod)) else attr
        if (inspect.isfunction(func) or isinstance(func, property)) and _has_doc(func.__doc__):
            return func.__doc__
    return None


def undocumented(modules: list[types.ModuleType]) -> tuple[int, list[str]]:
    """(how many public names were checked, the dotted names of those without a docstring)."""
    checked, missing, seen = 0, [], set()
    for mod in modules:
        checked += 1
        if not _has_doc(mod.__doc__):
            missing.append(f"{mod.__name__} (module)")
        for name, obj in _public_objects(mod):
            if id(obj) in seen:                       # re-exported: checked where it is defined
                continue
            seen.add(id(obj))
            qual = f"{obj.__module__}.{obj.__qualname__}"
            checked += 1
            if not _has_doc(obj.__doc__):
                missing.append(qual)
            if not inspect.isclass(obj):
                continue
            for attr_name, attr in vars(obj).items():
                if attr_name.startswith("_"):
                    continue
                func = attr.__func__ if isinstance(attr, (staticmethod, classmethod)) else attr
                if not (inspect.isfunction(func) or isinstance(func, property)):
                    continue
                checked += 1
                if not _has_doc(_method_doc(obj, attr_name)):
                    missing.append(f"{qual}.{attr_name}")
    return checked, missing


def test_every_public_name_has_a_docstring():
    checked, missing = undocumented(_public_modules(pqzk))
    assert checked > 1000, checked                   # the walk really saw the package
    if missing:
        pytest.fail(f"{len(missing)} of {checked} public names have no docstring (say what and why in "
                    "a sentence or two):\n  " + "\n  ".join(missing), pytrace=False)


def test_docstring_check_finds_what_is_missing():
    """The check itself: undocumented functions, classes, methods, properties and modules are found;
    documented ones and inherited method docs are not reported."""
    mod = types.ModuleType("fake_docs_mod", "A documented module.")

    def documented():
        """Documented."""

    def bare():
        pass

    class Base:
        """Documented base."""

        def run(self):
            """Run it."""

    class Child(Base):
        """Documented child."""

        def run(self):                              # inherits Base.run's docstring
            pass

        def extra(self):
            pass

        @property
        def size(self):
            return 1

        def _private(self):
            pass

    class Bare:
        pass

    for obj in (documented, bare, Base, Child, Bare):
        obj.__module__ = mod.__name__
        setattr(mod, obj.__name__, obj)
    mod._hidden = bare
    _, missing = undocumented([mod])
    short = sorted(m.split("<locals>.")[-1] for m in missing)
    assert short == ["Bare", "Child.extra", "Child.size", "bare"]
    mod.__doc__ = None
    mod.__all__ = ["documented"]
    assert undocumented([mod]) == (2, ["fake_docs_mod (module)"])


def test_docs_site_builds_strict(tmp_path):
    if not MKDOCS_YML.exists():
        pytest.skip("mkdocs.yml not beside the tests (installed elsewhere)")
    have = all(importlib.util.find_spec(m) for m in ("mkdocs", "mkdocstrings", "mkdocstrings_handlers"))
    require_component(have, "mkdocs with mkdocstrings[python]", INSTALL)
    out = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
                          "-f", str(MKDOCS_YML), "-d", str(tmp_path / "site")],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, f"mkdocs build --strict failed:\n{out.stdout}\n{out.stderr}"
    site = tmp_path / "site"
    assert (site / "index.html").is_file()
    for page in ("frost", "policy", "architecture"):
        assert (site / f"{page}.html").is_file(), page
    api = (site / "api" / "threshold.html").read_text()
    assert 'id="pqzk.threshold.frost' in api           # submodules are rendered from the docstrings
