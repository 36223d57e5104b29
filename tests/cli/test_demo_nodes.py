"""The demo's network chapter: five `pqzk node run` processes over a private broker, a DKG, a
signing, one node killed with SIGKILL, the other four still sign — narrated, and fast."""
import io
import sys
import time
from pathlib import Path

from rich.console import Console

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "runtime"))
from nats_helpers import process_gone, require_nats_server  # noqa: E402

from pqzk.cli.demo import CHAPTERS  # noqa: E402
from pqzk.cli.demo_nodes import chapter  # noqa: E402
from pqzk.cli.narrate import Narrator  # noqa: E402


def test_five_node_processes_sign_and_survive_a_kill():
    require_nats_server()
    assert "pqzk.cli.demo_nodes" in [c.module for c in CHAPTERS]
    out = io.StringIO()
    n = Narrator(Console(file=out, width=200))
    t = time.monotonic()
    chapter(n)
    assert time.monotonic() - t < 30
    facts = next(v for k, v in n.facts.items() if k.startswith("Nodes over NATS"))
    assert len(facts["node processes (pids)"]) == 5 and all(process_gone(p) for p in facts["node processes (pids)"])
    assert len(facts["group public key"]) == 32
    before, after = facts["signers"], facts["signers after the kill"]
    assert len(before) == 3 and len(after) == 3 and before[0] not in after
    assert facts["nodes still running"] == [i for i in range(1, 6) if i != before[0]]
    seen = facts["what the broker stored (frames: broadcasts in clear, private sealed)"]
    assert seen["private"] > 0 and seen["broadcast"] > 0
    text = out.getvalue()
    for phrase in ("kill -9", "sealed", "broker", "not blamed", "SIGTERM", "session_invite", "auth_share"):
        assert phrase in text, phrase
    assert "passphrase" not in " ".join(str(v) for v in facts.values())
    assert not any(k.endswith("(ms)") for k in facts), "timings only with --timings"
