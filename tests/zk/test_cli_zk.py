"""The zk demo chapter and `pqzk zk bench` run and show only public values."""
from __future__ import annotations

import json
import re

from rich.console import Console
from typer.testing import CliRunner

from pqzk.cli.demo_zk import chapter
from pqzk.cli.narrate import Narrator


# the secret amount as a number — not as four digits that a random hex digest may contain
SECRET_AMOUNT = re.compile(r"(?<![0-9a-fA-F])2_?500(?![0-9a-fA-F])|2,500|2 500")


def test_demo_chapter_public_facts_only():
    n = Narrator(json_mode=True)
    chapter(n)
    facts = n.facts["Zero-knowledge policy compliance"]
    assert facts["limit"] == 10_000 and facts["proof size (bytes)"] > 0
    assert not SECRET_AMOUNT.search(json.dumps(facts, default=lambda b: b.hex()))


def test_demo_chapter_narrates(capsys):
    console = Console(force_terminal=False, width=200)
    chapter(Narrator(console))
    out = capsys.readouterr().out
    assert "policy holds" in out and "(not shown)" in out
    assert not SECRET_AMOUNT.search(out)


def test_zk_bench_json():
    from pqzk.cli.main import app
    r = CliRunner().invoke(app, ["zk", "bench", "--rounds", "1", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    sizes = {row["proof"]: row["bytes"] for row in data["results"]}
    assert sizes["range 64-bit"] == 688 and sizes["schnorr"] == 64
