"""The `pqzk demo` secret-sharing chapter runs, reports public facts, and prints no secret."""
import io

from rich.console import Console

from pqzk.cli import demo, demo_sharing
from pqzk.cli.narrate import Narrator
from pqzk.sharing import vss


def test_chapter_is_registered():
    assert "pqzk.cli.demo_sharing" in [c.module for c in demo.CHAPTERS]


def test_chapter_prints_public_facts_and_no_secret(monkeypatch):
    seen = {}

    def spy(group, secret, t, n, **kw):
        shares, com = vss.feldman_deal(group, secret, t, n, **kw)
        seen.update(secret=secret, shares=shares)
        return shares, com

    monkeypatch.setattr(demo_sharing, "feldman_deal", spy)
    buf = io.StringIO()
    demo_sharing.chapter(Narrator(Console(file=buf, width=400)))
    out = buf.getvalue().lower()
    assert "secret sharing" in out and "(not shown)" in out
    for value in [seen["secret"]] + [s.value for s in seen["shares"]]:
        assert f"{value:064x}" not in out and str(value) not in out

    n = Narrator(json_mode=True)
    demo_sharing.chapter(n)
    facts = n.facts["Secret sharing"]
    assert facts["threshold / parties"] == "3 of 5"
    assert len(facts["Feldman commitments C_0..C_2"]) == 3
    assert facts["reconstructed secret matches the public key"] is True
