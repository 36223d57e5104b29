"""The post-quantum demo chapter runs, reports public facts only, and never prints secrets."""
from __future__ import annotations

import io

from rich.console import Console

from pqzk.cli.demo_pq import chapter
from pqzk.cli.narrate import Narrator


def test_demo_chapter_json_facts():
    n = Narrator(json_mode=True)
    chapter(n)
    facts = n.facts["Post-quantum"]
    assert facts["ML-DSA-65 signature size"] == 3309
    assert facts["composite signature size"] == 3309 + 64
    assert facts["quorum certificate size"] > 2 * 2420


def test_demo_chapter_text_marks_secrets():
    buf = io.StringIO()
    chapter(Narrator(Console(file=buf, width=140)))
    out = buf.getvalue()
    assert "not shown" in out and "AuthenticationError" in out
