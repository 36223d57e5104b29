"""`pqzk policy validate | explain` and `pqzk audit verify` through the real CLI."""
import json
import sqlite3

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from pqzk.cli.main import app
from pqzk.policy.audit import AuditLog

from test_policy import DOC

runner = CliRunner()


def test_policy_validate(tmp_path):
    good = tmp_path / "p.json"
    good.write_text(json.dumps(DOC))
    res = runner.invoke(app, ["policy", "validate", str(good), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["valid"] is True
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**DOC, "quorum": {"min_signers": 0}}))
    res = runner.invoke(app, ["policy", "validate", str(bad)])
    assert res.exit_code == 1 and "$.quorum.min_signers" in res.output


def test_policy_explain(tmp_path):
    p = tmp_path / "p.json"
    p.write_text(json.dumps(DOC))
    r = tmp_path / "r.json"
    r.write_text(json.dumps({"request_id": "ab" * 16, "tx_digest": "cd" * 32, "time": 10_000,
                             "policy_version": 1, "amount": 60_000, "destination": "alice"}))
    res = runner.invoke(app, ["policy", "explain", str(p), str(r), "--now", "10000", "--json"])
    assert res.exit_code == 1, res.output                  # refused: a decision that failed
    out = json.loads(res.stdout)
    assert out["error"]["type"] == "PolicyViolation" and "per_transaction_limit" in res.stderr
    assert out["decision"] == {"allowed": False, "rule": "per_transaction_limit",
                               "detail": "amount exceeds the per-transaction limit 50000"}
    assert {"rule": "whitelist", "status": "pass", "why": "destination checked against the whitelist"} in out["rules"]


def test_audit_verify(tmp_path):
    db = tmp_path / "a.db"
    key = Ed25519PrivateKey.generate()
    with AuditLog(db, key) as log:
        for i in range(3):
            log.append("note", {"i": i})
    pub = key.public_key().public_bytes_raw().hex()
    res = runner.invoke(app, ["audit", "verify", str(db), "--public-key", pub, "--json"])
    assert res.exit_code == 0, res.output
    head = json.loads(res.output)["head"]
    conn = sqlite3.connect(db)
    conn.execute("UPDATE records SET kind = 'request' WHERE seq = 2")
    conn.commit()
    conn.close()
    res = runner.invoke(app, ["audit", "verify", str(db), "--expect-head", head])
    assert res.exit_code == 1 and "record 2" in res.stderr and not res.stdout
