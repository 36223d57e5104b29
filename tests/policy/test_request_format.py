"""The request format of `pqzk policy explain` as docs/policy.md documents it: the documented
example files explain successfully, and the doc's field table is the decoder's field list."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pqzk.cli.main import app
from pqzk.errors import InvalidParameter
from pqzk.policy.request import FIELDS, PRIVATE_FIELDS, AuthorizationRequest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "policy.md"
EXAMPLES = ROOT / "examples" / "custody_policy"
runner = CliRunner()


def _section() -> str:
    text = DOC.read_text()
    start = text.index("### Request files")
    return text[start:text.index("\n## ", start)]


def test_documented_fields_are_the_decoders_fields():
    rows = re.findall(r"^\| `([a-z_.]+)` \|", _section(), re.M)
    assert rows == [*FIELDS, *(f"private.{f}" for f in PRIVATE_FIELDS)]
    public = json.loads((EXAMPLES / "request.json").read_text())
    private = json.loads((EXAMPLES / "request_private.json").read_text())
    # the decoder's fields are what its inverse writes: nothing documented that to_dict lacks
    written = set(AuthorizationRequest.from_dict(public).to_dict()) | set(AuthorizationRequest.from_dict(private).to_dict())
    assert written == set(FIELDS)
    assert set(AuthorizationRequest.from_dict(private).to_dict()["private"]) == set(PRIVATE_FIELDS)


def test_doc_shows_the_example_file_as_it_is():
    block = re.search(r"```json\n(.*?)```", _section(), re.S).group(1)
    assert json.loads(block) == json.loads((EXAMPLES / "request.json").read_text())


@pytest.mark.parametrize("name,amount_row", [("request.json", "amount 4000"), ("request_private.json", "amount 5000")])
def test_documented_examples_explain_successfully(name, amount_row):
    cmd = re.search(r"^pqzk (policy explain .*)$", _section(), re.M).group(1).split()
    assert cmd[-3].endswith("request.json")
    cmd[-3] = str(EXAMPLES / name)
    cmd[2] = str(ROOT / cmd[2])
    res = runner.invoke(app, cmd)
    assert res.exit_code == 0, res.output
    assert "decision: allowed" in res.stdout and amount_row in res.stdout
    doc = json.loads(runner.invoke(app, [*cmd, "--json"]).stdout)
    assert all(r["status"] != "fail" for r in doc["rules"]), doc


def test_without_now_the_example_has_expired():
    res = runner.invoke(app, ["policy", "explain", str(EXAMPLES / "policy.toml"), str(EXAMPLES / "request.json")])
    assert res.exit_code == 1 and "expiry" in res.stdout + res.stderr


@pytest.mark.parametrize("field,where", [("amont", "unknown field 'amont'"), ("digest", "unknown field 'digest'")])
def test_a_misspelt_field_is_named(field, where, tmp_path):
    d = json.loads((EXAMPLES / "request.json").read_text())
    d[field] = 1
    with pytest.raises(InvalidParameter, match=where):
        AuthorizationRequest.from_dict(d)
    p = tmp_path / "r.json"
    p.write_text(json.dumps(d))
    res = runner.invoke(app, ["policy", "explain", str(EXAMPLES / "policy.toml"), str(p), "--now", "1700000160"])
    assert res.exit_code == 2 and where in res.stderr and len(res.stderr.splitlines()) == 1


def test_a_misspelt_private_field_is_named():
    d = json.loads((EXAMPLES / "request_private.json").read_text())
    d["private"]["proof_hex"] = d["private"].pop("proof")
    with pytest.raises(InvalidParameter, match=r"unknown field 'private.proof_hex'"):
        AuthorizationRequest.from_dict(d)
