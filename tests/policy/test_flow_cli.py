"""`pqzk authorize SCENARIO` and the educator's example in examples/custody_policy/."""
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pqzk.cli.main import app
from pqzk.errors import InvalidEncoding
from pqzk.policy import load_policy
from pqzk.policy.audit import records, verify_log
from pqzk.policy.authorization import Authorization
from pqzk.policy.request import AuthorizationRequest
from pqzk.policy.scenario import Scenario

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "custody_policy"
runner = CliRunner()

EXPECTED = [  # (step, allowed, rule) as the README describes them
    ("payroll", True, "allowed"),
    ("to a blacklisted address", False, "blacklist"),
    ("same payroll again", False, "replay"),
    ("lax coordinator, unknown address", False, "whitelist"),
    ("large: needs security", True, "allowed"),
    ("private transfer", True, "allowed"),
    ("above the PQ threshold", True, "allowed"),
    ("over the hourly window", False, "window_limit[3600s]"),
    ("expired request", False, "expiry"),
    ("lower the limit to 30 000", True, "allowed"),
    ("old policy version, next day", False, "policy_version"),
    ("under the new policy", True, "allowed"),
]


def test_example_policies_validate():
    for name in ("policy.toml", "policy_v2.toml"):
        res = runner.invoke(app, ["policy", "validate", str(EXAMPLE / name), "--json"])
        assert res.exit_code == 0 and json.loads(res.output)["valid"], res.output


def test_example_scenario_runs_with_audit_log(tmp_path):
    db = tmp_path / "audit.db"
    res = runner.invoke(app, ["authorize", str(EXAMPLE / "scenario.toml"), "--json", "--audit", str(db)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    got = [(s["name"], s["allowed"], s["rule"]) for s in out["steps"]]
    assert got == EXPECTED
    steps = {s["name"]: s for s in out["steps"]}
    assert steps["large: needs security"]["missing"] == [3] and 3 not in steps["large: needs security"]["signers"]
    assert steps["above the PQ threshold"]["pq"] and not steps["payroll"]["pq"]
    assert steps["private transfer"]["private"] and steps["private transfer"]["amount"] is None
    assert set(steps["lax coordinator, unknown address"]["refusals"].values()) == {"whitelist"}
    # the audit log verifies under the printed key and head, and holds every step
    head = out["audit"]
    verify_log(db, bytes.fromhex(head["public_key"]))
    recs = list(records(db))
    assert len(recs) == head["records"]
    kinds = [r.kind for r in recs]
    assert kinds.count("authorization") == sum(1 for s in EXPECTED if s[1] and "limit to" not in s[0])
    assert kinds.count("policy_change") == 1
    # each printed authorization verifies against the policy and the request in the log
    policy = load_policy(EXAMPLE / "policy.toml")
    auth = Authorization.from_bytes(bytes.fromhex(steps["payroll"]["authorization"]))
    req = next(AuthorizationRequest.from_dict({k: v for k, v in r.body["request"].items() if k != "digest"})
               for r in recs if r.kind == "request")
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    Ed25519PublicKey.from_public_bytes(auth.group_key).verify(auth.signature, auth.digest())
    assert auth.request_digest == req.digest() and auth.policy_digest == policy.digest()
    # and the CLI verifies the log too
    res = runner.invoke(app, ["audit", "verify", str(db), "--public-key", head["public_key"],
                              "--expect-head", f"{head['records']}:{head['head']}"])
    assert res.exit_code == 0, res.output


def test_human_output_and_existing_audit_file(tmp_path):
    sc = tmp_path / "s.toml"
    (tmp_path / "p.toml").write_text((EXAMPLE / "policy.toml").read_text())
    sc.write_text('policy = "p.toml"\nseed = 7\n[[steps]]\nname = "pay"\ntime = 1_700_000_100\n'
                  'amount = 10\ndestination = "bob"\n')
    res = runner.invoke(app, ["authorize", str(sc)])
    assert res.exit_code == 0 and "allowed" in res.output, res.output
    db = tmp_path / "a.db"
    db.write_bytes(b"")
    res = runner.invoke(app, ["authorize", str(sc), "--audit", str(db)])
    assert res.exit_code != 0


@pytest.mark.parametrize("text,where", [
    ('policy = "p.toml"\nsurprise = 1\n', r"\$: unknown fields"),
    ('steps = []\n', r"\$\.policy"),
    ('policy = "p.toml"\n[[steps]]\nkind = "dance"\n', r"\$\.steps\[0\]\.kind"),
    ('policy = "p.toml"\n[[steps]]\nname = "x"\namount = 5\ndestination = "bob"\ncolour = 1\n',
     r"\$\.steps\[0\]: unknown fields"),
    ('policy = "p.toml"\nnot toml', "not valid TOML"),
])
def test_bad_scenarios_name_the_field(tmp_path, text, where):
    (tmp_path / "p.toml").write_text((EXAMPLE / "policy.toml").read_text())
    sc = tmp_path / "s.toml"
    sc.write_text(text)
    with pytest.raises(InvalidEncoding, match=where):
        Scenario(sc)


def test_bad_step_values_are_reported(tmp_path):
    (tmp_path / "p.toml").write_text((EXAMPLE / "policy.toml").read_text())
    sc = tmp_path / "s.toml"
    sc.write_text('policy = "p.toml"\n[[steps]]\nname = "x"\namount = "lots"\ndestination = "bob"\ntime = 1\n')
    with pytest.raises(InvalidEncoding, match=r"\$\.steps\[0\]\.amount"):
        list(Scenario(sc).run())
    sc.write_text('policy = "p.toml"\n[[steps]]\nreplay_of = "nothing"\n')
    with pytest.raises(InvalidEncoding, match="replay_of"):
        list(Scenario(sc).run())


def test_scenario_authorizations_verify(tmp_path):
    """Through the library: every allowed step's authorization verifies (PQ ones with the roster)."""
    sc = Scenario(EXAMPLE / "scenario.toml")
    results = list(sc.run())
    c = sc.custody
    assert sum(r.allowed for r in results) == 6
    for r in results:
        if r.kind == "request" and r.allowed:
            auth = Authorization.from_bytes(bytes.fromhex(r.authorization))
            assert auth.pq == r.pq
            assert len(auth.signers) >= 3
    # the last one is under policy v2
    last = Authorization.from_bytes(bytes.fromhex(results[-1].authorization))
    assert last.policy_version == 2 and last.policy_digest == load_policy(EXAMPLE / "policy_v2.toml").digest()
    assert len(c.history.entries) == 5       # the policy change is not a spend
