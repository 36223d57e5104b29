"""`pqzk demo`: --list, one chapter by name, --seed for reproducible narration, timings only on
request; unknown chapters and bad seeds refused in one line."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

import pqzk
from pqzk.cli.demo import CHAPTERS, MAX_SEED, run_demo
from pqzk.cli.main import app
from pqzk.cli.narrate import Narrator
from pqzk.errors import InvalidParameter

runner = CliRunner()
IMPORT_ROOT = Path(pqzk.__file__).resolve().parents[1]
REPRODUCIBLE = [c.name for c in CHAPTERS if c.reproducible]


def _pqzk(*args: str) -> subprocess.CompletedProcess:
    """The real command in a fresh process (a second run shares no state with the first)."""
    env = {**os.environ, "PYTHONPATH": str(IMPORT_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "COLUMNS": "100"}
    env.pop("PQZK_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "pqzk.cli.main", *args], capture_output=True, text=True,
                          env=env, timeout=300)


def test_list_names_every_chapter_with_one_line_each():
    res = runner.invoke(app, ["demo", "--list"])
    assert res.exit_code == 0, res.output
    lines = [ln for ln in res.stdout.splitlines() if not ln.startswith(" ")]
    assert [ln.split()[0] for ln in lines] == [c.name for c in CHAPTERS]
    for line, c in zip(lines, CHAPTERS):
        assert line.split(None, 1)[1] == c.summary and len(c.summary) < 110
    assert "(--seed: real processes" in res.stdout          # what the nodes chapter cannot reproduce
    doc = json.loads(runner.invoke(app, ["demo", "--list", "--json"]).stdout)
    assert [d["name"] for d in doc] == [c.name for c in CHAPTERS]
    assert [d["name"] for d in doc if not d["reproducible"]] == ["nodes"]


def test_one_chapter_by_name_tells_only_that_chapter():
    res = runner.invoke(app, ["demo", "zk", "--json"])
    assert res.exit_code == 0, res.output
    facts = json.loads(res.stdout)
    assert list(facts) == ["Zero-knowledge policy compliance"]
    res = runner.invoke(app, ["demo", "frost", "groups", "--json"])
    assert list(json.loads(res.stdout)) == ["FROST threshold signature (RFC 9591)", "Groups"]


@pytest.mark.parametrize("args", [["no-such-chapter"], ["groups", "Groups"], [""], ["x" * 5000],
                                  ["--list", "nope"]])
def test_unknown_chapter_is_refused_naming_the_valid_ones(args):
    res = runner.invoke(app, ["demo", *args])
    assert res.exit_code == 2 and res.stdout == ""
    lines = res.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: no demo chapter")
    assert lines[0].endswith("the chapters are: " + ", ".join(c.name for c in CHAPTERS))
    assert len(lines[0]) < 200


@pytest.mark.parametrize("seed", ["-1", str(MAX_SEED + 1), str(10**30), "seven", "1.5", ""])
def test_bad_seed_is_refused_in_one_line(seed):
    for extra in ([], ["--json"]):
        res = runner.invoke(app, ["demo", "groups", "--seed", seed, *extra])
        assert res.exit_code == 2, res.output
        lines = res.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and "seed" in lines[0]
        if extra:
            assert json.loads(res.stdout)["error"]["exit_code"] == 2
        else:
            assert res.stdout == ""


def test_same_seed_same_narration_byte_for_byte_other_seed_differs():
    """Every chapter but the nodes one, each run in its own process: identical stdout for one
    seed (text and JSON), different for another; a chapter told alone reads as within the whole."""
    first = _pqzk("demo", *REPRODUCIBLE, "--seed", "7")
    assert first.returncode == 0, first.stderr
    again = _pqzk("demo", *REPRODUCIBLE, "--seed", "7")
    assert again.returncode == 0, again.stderr
    assert first.stdout == again.stdout
    other = _pqzk("demo", *REPRODUCIBLE, "--seed", "8")
    assert other.returncode == 0 and other.stdout != first.stdout
    for chapter in ("Groups", "Secret sharing", "FROST threshold", "Threshold BLS", "Zero-knowledge", "Custody"):
        assert chapter in first.stdout
    alone = _pqzk("demo", "frost", "--seed", "7")
    assert alone.returncode == 0 and alone.stdout.strip() in first.stdout
    j1, j2 = (_pqzk("demo", "groups", "sharing", "frost", "--seed", "7", "--json") for _ in range(2))
    assert j1.stdout == j2.stdout and json.loads(j1.stdout)["Groups"]["A (SEC1 compressed)"]


def test_without_seed_each_run_differs():
    a, b = (json.loads(runner.invoke(app, ["demo", "groups", "--json"]).stdout) for _ in range(2))
    assert a["Groups"]["A (SEC1 compressed)"] != b["Groups"]["A (SEC1 compressed)"]


def test_seeded_streams_are_per_chapter():
    one, two = Narrator(json_mode=True, seed=5), Narrator(json_mode=True, seed=5)
    run_demo(one, ["groups"])
    run_demo(two, ["frost", "groups"])
    assert one.facts["Groups"] == two.facts["Groups"]


def test_timings_only_on_request_and_unseeded_values_shown_by_size():
    out = io.StringIO()
    n = Narrator(Console(file=out, width=200), seed=1)
    n.chapter("t")
    n.timing("signing time", 0.0123)
    n.unseeded("held key", b"\x01" * 32, "inside the store")
    assert n.facts["t"] == {"held key": "32 bytes, drawn inside the store (not covered by --seed)"}
    assert "ms" not in out.getvalue() and "0101" not in out.getvalue()
    n = Narrator(Console(file=io.StringIO()), timings=True)
    n.chapter("t")
    n.timing("signing time", 0.0123)
    n.unseeded("held key", b"\x01" * 32, "inside the store")
    assert n.facts["t"] == {"signing time (ms)": 12, "held key": b"\x01" * 32}


def test_seed_bounds_in_the_api():
    from pqzk.cli.demo import check_seed, select
    assert check_seed(0) == 0 and check_seed(MAX_SEED) == MAX_SEED and check_seed(None) is None
    with pytest.raises(InvalidParameter, match="--seed"):
        check_seed(-1)
    with pytest.raises(InvalidParameter, match="the chapters are"):
        select(["nope"])
    assert select(None) == list(CHAPTERS)


def test_docs_list_every_chapter_with_its_summary():
    import re
    doc = Path(__file__).resolve().parents[2] / "docs" / "demo.md"
    if not doc.exists():
        pytest.skip("docs not beside the tests")
    rows = re.findall(r"^\| `(\w+)` \| (.+) \|$", doc.read_text(), re.M)
    assert rows == [(c.name, c.summary) for c in CHAPTERS]
