"""The README stays true: its Python tour runs as written and prints exactly the output the
README shows beside it (a block that prints must be followed by a ```text block of its output),
and every command of its shell tour runs."""
from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import pqzk

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
IMPORT_ROOT = Path(pqzk.__file__).resolve().parents[1]
# a python block, then (after at most one short line such as "It prints:") an optional text block
TOUR = re.compile(r"```python\n(.*?)```\n(?:\n?(?:[^\n`]{0,80}:\n)?\n?```text\n(.*?)```)?", re.S)
PQZK = ".venv/bin/pqzk"


def tours(text: str) -> list[tuple[str, str | None]]:
    """(code, the output shown after it or None) for each python block."""
    return [(m.group(1), m.group(2)) for m in TOUR.finditer(text)]


def tour_problems(text: str) -> list[str]:
    """Run each python block; what it prints must be what the README shows after it."""
    problems = []
    blocks = tours(text)
    if not blocks:
        return ["README has no python block"]
    for n, (code, shown) in enumerate(blocks, 1):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, "README.md", "exec"), {})
        printed = out.getvalue()
        if shown is None and printed:
            problems.append(f"python block {n} prints output the README does not show (add a ```text block):\n"
                            f"{printed}")
        elif shown is not None and printed != shown:
            problems.append(f"python block {n} printed\n{printed}\nbut the README shows\n{shown}")
    return problems


def test_readme_tour_runs_and_prints_what_it_shows():
    assert tour_problems(README.read_text()) == []


def test_tour_check_catches_output_that_differs_or_is_not_shown():
    assert tour_problems("```python\nprint(6 * 7)\n```\n\nIt prints:\n\n```text\n42\n```\n") == []
    assert tour_problems("```python\nprint(6 * 7)\n```\n\n```text\n41\n```\n")[0].startswith("python block 1 printed")
    assert "does not show" in tour_problems("```python\nprint(6 * 7)\n```\n")[0]
    assert tour_problems("```python\nx = 1\n```\n") == []
    assert tour_problems("no code here") == ["README has no python block"]
    with pytest.raises(ZeroDivisionError):
        tour_problems("```python\n1 / 0\n```\n")


def test_readme_names_the_two_commands():
    text = README.read_text()
    assert "make demo" in text and "make test" in text


def shell_tour() -> list[str]:
    """The commands of the README's shell tour: each line that runs .venv/bin/pqzk, without its comment."""
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", README.read_text(), re.S):
        for line in block.splitlines():
            if line.startswith(PQZK):
                lines.append(re.split(r"\s+#\s", line, maxsplit=1)[0].strip())
    return lines


def test_the_shell_tour_is_found():
    cmds = shell_tour()
    assert len(cmds) >= 5 and any(c.startswith(f"{PQZK} info") for c in cmds)


def _outputs(cmd: str) -> list[str]:
    """Files a command of the tour says it writes (-o/--out/--public-out/--plot)."""
    words = shlex.split(cmd)
    return [words[i + 1] for i, w in enumerate(words[:-1]) if w in ("-o", "--out", "--public-out", "--plot")]


@pytest.fixture(scope="module")
def tour_dir(tmp_path_factory) -> Path:
    """A directory where .venv/bin/pqzk is the pqzk under test and examples/ the repository's."""
    d = tmp_path_factory.mktemp("tour")
    (d / ".venv" / "bin").mkdir(parents=True)
    script = d / ".venv" / "bin" / "pqzk"
    script.write_text(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -m pqzk.cli.main \"$@\"\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    (d / "examples").symlink_to(ROOT / "examples")
    return d


@pytest.mark.parametrize("cmd", shell_tour())
def test_each_command_of_the_shell_tour_runs(cmd, tour_dir):
    if "--local" in cmd:
        sys.path.insert(0, str(Path(__file__).parent / "runtime"))
        from nats_helpers import require_nats_server
        require_nats_server()
    env = {**os.environ, "PYTHONPATH": str(IMPORT_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.pop("PQZK_DEBUG", None)
    for name in _outputs(cmd):             # earlier runs of this test leave nothing to refuse
        path = tour_dir / name
        if path.is_file():
            path.unlink()
    if "pq sign" in cmd and not (tour_dir / "k.pem").exists():
        subprocess.run(["bash", "-c", next(c for c in shell_tour() if "pq keygen" in c)], cwd=tour_dir, env=env,
                       check=True, capture_output=True, timeout=300)
    res = subprocess.run(["bash", "-c", cmd], cwd=tour_dir, env=env, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, f"{cmd}\n{res.stderr[-2000:]}"
    assert res.stdout.strip() or _outputs(cmd), cmd
    assert "Traceback" not in res.stderr
    for name in _outputs(cmd):
        assert (tour_dir / name).exists(), f"{cmd} did not write {name}"
