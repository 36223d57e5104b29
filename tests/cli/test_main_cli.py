"""`pqzk info` and `pqzk demo` end to end through the real command."""
import json

from typer.testing import CliRunner

from pqzk.cli.demo import CHAPTERS
from pqzk.cli.main import app

runner = CliRunner()


def test_info_json_lists_every_backend():
    res = runner.invoke(app, ["info", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    names = [b["name"] for b in data["backends"]]
    assert names == ["native", "openssl", "liboqs", "pqclean", "numpy", "reference", "softhsm2", "tpm-simulator",
                     "nats"]
    native = data["backends"][0]
    assert native["available"] and "-std=c99" in native["extra"]["build_flags"]
    from pqzk import _native
    assert native["extra"]["field_kernels"].startswith("x86-64 mulx" if _native.asm_active() else "portable C")
    for b in data["backends"]:
        assert b["available"] or b["how_to_enable"], b


def test_demo_json_runs_every_chapter():
    res = runner.invoke(app, ["demo", "--json"])
    assert res.exit_code == 0, res.output
    facts = json.loads(res.output)
    assert len(facts) == len(CHAPTERS)
    bls = next(v for k, v in facts.items() if k.startswith("Threshold BLS"))
    assert len(bytes.fromhex(bls["threshold signature (G2, 96 bytes)"])) == 96


def test_help_lists_subcommands():
    res = runner.invoke(app, ["--help"])
    assert res.exit_code == 0
    for cmd in ("info", "demo", "policy", "audit"):
        assert cmd in res.output
