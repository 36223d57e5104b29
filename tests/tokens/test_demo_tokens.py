"""The `pqzk demo` chapter on share stores runs end to end and publishes only public facts."""
from __future__ import annotations

import json

from token_env import require_softhsm, softhsm_dir

from pqzk.cli.demo_tokens import chapter
from pqzk.cli.narrate import Narrator


def test_chapter_runs_with_softhsm():
    require_softhsm()
    softhsm_dir()     # this process's SoftHSM2 config (set before the library loads)
    n = Narrator(json_mode=True)
    chapter(n)
    facts = n.facts["Shares in tokens"]
    assert facts["Alice's store"].startswith("SoftHSM2")
    assert len(facts["FROST signature"]) == 64 and len(facts["held Ed25519 public key"]) == 32
    json.dumps(facts, default=lambda b: b.hex())


def test_chapter_falls_back_to_a_sealed_file(monkeypatch):
    from pqzk.errors import BackendUnavailable
    from pqzk.tokens import softhsm

    def absent(label="x"):
        raise BackendUnavailable("softhsm2", "not installed", "apt-get install softhsm2")
    monkeypatch.setattr(softhsm, "ephemeral_token", absent)
    n = Narrator(json_mode=True)
    chapter(n)
    assert n.facts["Shares in tokens"]["Alice's store"].startswith("sealed file")
