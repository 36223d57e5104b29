"""examples/airgapped_signing.py: a 2-of-3 policy signing where node 3 is cold — its frames carried
by hand as bundles and its turn taken with `pqzk node step` — runs end to end and narrates it."""
import runpy
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "runtime"))
from nats_helpers import require_nats_server  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "airgapped_signing.py"


def test_airgapped_signing_example(capsys):
    require_nats_server()
    result = runpy.run_path(str(EXAMPLE))["main"]()
    out = capsys.readouterr().out
    assert result["signers"] == [1, 3] and result["second_share"] is False and result["same_share_again"] is True
    assert len(bytes.fromhex(result["signature"])) == 64
    assert out.count("pqzk node step --home node-3") == 3                 # preprocess, sign, the replay
    assert "auth_direct" in out and "the very share it sent the first time" in out and "air-gapped" in out
    assert "[secret] key shares" in out and "Everything stopped" in out
