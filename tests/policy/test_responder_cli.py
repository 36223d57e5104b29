"""`pqzk policy explain --responses DB`: the active responses, replayed from a verified audit log."""
import json
import sqlite3

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from pqzk.cli.main import app
from pqzk.policy.audit import AuditLog
from pqzk.policy.events import Event
from pqzk.policy.responder import Responder

from test_responder import DOC, POLICY, T0, named

runner = CliRunner()


@pytest.fixture
def files(tmp_path):
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(DOC))
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"request_id": "ab" * 16, "tx_digest": "cd" * 32, "time": T0 + 10,
                                   "policy_version": 1, "amount": 6_000, "destination": "alice"}))
    key = Ed25519PrivateKey.generate()
    db = tmp_path / "audit.db"
    r = Responder(POLICY, key_threshold=4, now=T0)
    r.handle(named(3), T0)
    for k in range(3):
        r.handle(Event.alarm("refused_request", time=T0 + k, source="gw", subject="eve"), T0 + k)
    with AuditLog(db, key) as log:
        for body in r.take_records():
            log.append("note", body)
    return policy, request, db, key.public_key().public_bytes_raw().hex()


def explain(policy, request, *extra):
    return runner.invoke(app, ["policy", "explain", str(policy), str(request), "--now", str(T0 + 10), *extra])


def test_explain_shows_active_responses_and_evaluates_under_them(files):
    policy, request, db, pub = files
    assert explain(policy, request, "--json").exit_code == 0            # 6 000 is fine without responses
    res = explain(policy, request, "--responses", str(db), "--audit-key", pub, "--json")
    assert res.exit_code == 1, res.output                               # frozen above 5 000
    out = json.loads(res.stdout)
    assert out["decision"]["rule"] == "per_transaction_limit"
    actions = {a["action"]: a for a in out["responses"]["active"]}
    assert actions["quarantine"]["party"] == 3 and "signer 3 quarantined" in actions["quarantine"]["describe"]
    assert set(actions) == {"quarantine", "require_post_quantum", "freeze_above"}
    assert [p["response"]["action"] for p in out["responses"]["pending"]] == ["propose_reshare"]
    text = explain(policy, request, "--responses", str(db))
    assert text.exit_code == 1 and "active responses" in text.stdout and "quarantined" in text.stdout
    later = runner.invoke(app, ["policy", "explain", str(policy), str(request), "--now", str(T0 + 10 ** 7),
                                "--responses", str(db), "--json"])
    assert json.loads(later.stdout)["responses"]["active"] == []     # everything expired


def test_explain_responses_negative(files, tmp_path):
    policy, request, db, pub = files
    res = explain(policy, request, "--responses", str(tmp_path / "missing.db"))
    assert res.exit_code == 2 and "Traceback" not in res.output
    notdb = tmp_path / "x.db"
    notdb.write_text("hello")
    assert explain(policy, request, "--responses", str(notdb)).exit_code == 2
    assert explain(policy, request, "--responses", str(db), "--audit-key", "zz").exit_code == 2
    res = explain(policy, request, "--audit-key", pub)
    assert res.exit_code == 2 and "give --responses too" in res.stderr
    other = Ed25519PrivateKey.generate().public_key().public_bytes_raw().hex()
    res = explain(policy, request, "--responses", str(db), "--audit-key", other)
    assert res.exit_code == 1 and "another key" in res.stderr
    before = runner.invoke(app, ["policy", "explain", str(policy), str(request), "--now", str(T0 - 1),
                                 "--responses", str(db)])
    assert before.exit_code == 2 and "before the responder's last record" in before.stderr
    # another policy than the responder's
    changed = tmp_path / "other.json"
    changed.write_text(json.dumps({**DOC, "name": "another"}))
    res = explain(changed, request, "--responses", str(db))
    assert res.exit_code == 2 and "responds for policy 'treasury'" in res.stderr
    # a log with no responder records
    empty = tmp_path / "empty.db"
    with AuditLog(empty, Ed25519PrivateKey.generate()) as log:
        log.append("note", {"event": "counted"})
    res = explain(policy, request, "--responses", str(empty))
    assert res.exit_code == 1 and "no responder records" in res.stderr
    # a tampered record: the chain no longer verifies
    conn = sqlite3.connect(db)
    conn.execute("UPDATE records SET body = CAST(replace(CAST(body AS TEXT), '\"party\":3', '\"party\":4') AS BLOB)")
    conn.commit()
    conn.close()
    res = explain(policy, request, "--responses", str(db), "--json")
    assert res.exit_code == 1 and json.loads(res.stdout)["error"]["type"] in ("AuditLogError", "VerificationError")
