"""The CLI's conventions, all commands: exit 0/1/2 (70 for a bug) as `pqzk --help` documents them,
errors as one line on stderr, `--json` output valid JSON even on failure, `--version`, `-h`,
`--json` a flag; outputs never replaced without --force and written atomically; no secret in a
message; `policy explain` verifies what it vouches for; the smaller items of issue 15."""
from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from pqzk import __version__
from pqzk.cli.errors import EXIT_CODES, PqzkCommand, PqzkGroup
from pqzk.cli.main import app

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "custody_policy"
runner = CliRunner()
REQUEST = {"request_id": "ab" * 16, "tx_digest": "cd" * 32, "time": 1_700_000_000, "policy_version": 1,
           "amount": 4_000, "destination": "alice"}
NOW = ["--now", "1700000010"]


def run(*args, env=None, input=None):
    return runner.invoke(app, [str(a) for a in args], env=env, input=input)


def fails(res, code: int, *, text: str = "") -> str:
    """Exit `code`, exactly one `error:` line on stderr (containing `text`), nothing else on stdout
    unless --json (then a JSON error object). Returns the error line."""
    assert res.exit_code == code, (res.exit_code, res.output)
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), res.stderr
    assert text in lines[0], lines[0]
    return lines[0]


pytestmark = pytest.mark.usefixtures("fast_kdf")   # tests/conftest.py


# ---------------------------------------------------------------- conventions
def test_help_documents_exit_codes_version_and_short_help():
    res = run("--help")
    assert res.exit_code == 0
    text = " ".join(res.stdout.split())
    assert "Exit status" in text
    for code, _ in EXIT_CODES:
        assert f" {code} " in text
    assert "usage or input error" in text and "a check failed" in text and "--json" in text
    assert run("-h").stdout == res.stdout
    res = run("--version")
    assert res.exit_code == 0 and res.stdout.strip() == f"pqzk {__version__}"
    res = run("policy", "explain", "-h")
    assert res.exit_code == 0 and "REQUEST" in res.stdout.upper()


def test_no_arguments_shows_the_help_and_exits_2():
    res = run()
    assert res.exit_code == 2 and "Exit status" in res.stdout and "Traceback" not in res.output
    res = run("policy")
    assert res.exit_code == 2 and "validate" in res.stdout


def test_json_is_a_flag_everywhere():
    root = typer.main.get_command(app)

    def commands(cmd, path=()):
        for name, sub in getattr(cmd, "commands", {}).items():
            yield from commands(sub, path + (name,))
        if path:
            yield path, cmd

    checked = 0
    for path, cmd in commands(root):
        opts = {p.name: p for p in cmd.params}
        if "as_json" not in opts:
            continue
        assert opts["as_json"].is_flag, path
        ctx = cmd.make_context(" ".join(path), ["--help"], resilient_parsing=True)
        assert "<bool>" not in cmd.get_help(ctx), path
        checked += 1
    assert checked >= 15
    fails(run("info", "--json", "true"), 2, text="unexpected extra argument")


def test_every_command_goes_through_the_convention():
    """Every group and command is built by PqzkTyper, so none escapes the error mapping."""
    root = typer.main.get_command(app)
    seen = 0
    stack = [root]
    while stack:
        cmd = stack.pop()
        subs = getattr(cmd, "commands", None)
        if subs is not None:
            assert isinstance(cmd, PqzkGroup), cmd.name
            stack.extend(subs.values())
        else:
            assert isinstance(cmd, PqzkCommand), cmd.name
        seen += 1
    assert seen > 20


def test_errors_go_to_stderr_and_json_stays_json(tmp_path):
    res = run("policy", "validate", tmp_path / "missing.toml")
    fails(res, 2, text="no such file")
    assert res.stdout == ""
    res = run("policy", "validate", tmp_path / "missing.toml", "--json")
    fails(res, 2)
    err = json.loads(res.stdout)["error"]
    assert err == {"type": "InvalidParameter", "exit_code": 2, "message": err["message"]}
    assert "missing.toml" in err["message"]
    res = run("zk", "bench", "--rounds", "0", "--json")           # a usage error under --json
    fails(res, 2, text="--rounds")
    assert json.loads(res.stdout)["error"]["type"] == "UsageError"
    res = run("policy", "explain", "--json")                       # missing arguments
    fails(res, 2, text="Missing argument")
    assert json.loads(res.stdout)["error"]["exit_code"] == 2


def test_a_failed_check_is_exit_1_with_the_result_under_json(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": 1}')
    res = run("policy", "validate", bad, "--json")
    fails(res, 1, text="invalid")
    out = json.loads(res.stdout)
    assert out["valid"] is False and out["error"]["exit_code"] == 1 and "$" in out["error"]["message"]


def test_internal_error_is_one_line_exit_70_without_the_message(monkeypatch):
    import pqzk.discovery
    def boom():
        raise RuntimeError("s3cret material")
    monkeypatch.setattr(pqzk.discovery, "backends", boom)
    res = run("info")
    assert res.exit_code == 70 and "s3cret" not in res.output and "Traceback" not in res.output
    assert res.stderr.startswith("internal error: RuntimeError at ") and len(res.stderr.splitlines()) == 1
    res = run("info", "--json")
    assert json.loads(res.stdout)["error"]["type"] == "InternalError" and "s3cret" not in res.stdout
    monkeypatch.setenv("PQZK_DEBUG", "1")                         # developers get the traceback
    res = run("info")
    assert isinstance(res.exception, RuntimeError)


# ---------------------------------------------------------------- never overwrite silently
def test_frost_keygen_refuses_to_replace_keys(tmp_path):
    keys = tmp_path / "keys"
    assert run("frost", "keygen", "-o", keys).exit_code == 0
    before = {p.name: p.read_bytes() for p in keys.iterdir()}
    fails(run("frost", "keygen", "-o", keys), 2, text="already exists; give --force")
    assert {p.name: p.read_bytes() for p in keys.iterdir()} == before
    fails(run("frost", "keygen", "-o", keys / "public.json"), 2, text="not a directory")
    fails(run("frost", "keygen", "-o", "/proc/no-such-dir/keys"), 2, text="cannot create")
    res = run("frost", "keygen", "-o", keys, "--force", "--json")
    assert res.exit_code == 0
    assert json.loads((keys / "public.json").read_text())["verifying_key"] == json.loads(res.stdout)["verifying_key"]
    assert before["public.json"] != (keys / "public.json").read_bytes()
    assert stat.S_IMODE((keys / "share-1.json").stat().st_mode) == 0o600
    assert stat.S_IMODE((keys / "public.json").stat().st_mode) == 0o644
    assert not [p for p in keys.iterdir() if p.name.startswith(".tmp-")]      # atomic writes leave no temp


def test_frost_sign_refuses_to_replace_a_signature(tmp_path):
    run("frost", "keygen", "-o", tmp_path)
    shares = ["--share", tmp_path / "share-1.json", "--share", tmp_path / "share-2.json"]
    sig = tmp_path / "sig.json"
    assert run("frost", "sign", *shares, "-m", "a", "-o", sig).exit_code == 0
    first = sig.read_bytes()
    fails(run("frost", "sign", *shares, "-m", "b", "-o", sig), 2, text="give --force")
    assert sig.read_bytes() == first
    assert run("frost", "sign", *shares, "-m", "b", "-o", sig, "--force").exit_code == 0
    assert run("frost", "verify", "-p", tmp_path / "public.json", "--signature", sig, "-m", "b").exit_code == 0


def test_frost_message_from_stdin(tmp_path):
    run("frost", "keygen", "-o", tmp_path)
    sig = tmp_path / "sig.json"
    res = run("frost", "sign", "--share", tmp_path / "share-1.json", "--share", tmp_path / "share-3.json",
              "--message-file", "-", "-o", sig, input=b"from stdin")
    assert res.exit_code == 0, res.output
    assert run("frost", "verify", "-p", tmp_path / "public.json", "--signature", sig, "-m", "from stdin").exit_code == 0
    fails(run("frost", "verify", "-p", tmp_path / "public.json", "--signature", sig, "--message-file", "-",
              input=b"other"), 1)


def test_recovery_keygen_refuses_to_replace_a_recovery_key(tmp_path):
    env = {"P": "recovery passphrase"}
    out, pub = tmp_path / "rec.key", tmp_path / "rec.pub"
    assert run("token", "recovery-keygen", "--out", out, "--public-out", pub, "--pin-env", "P", env=env).exit_code == 0
    key, public = out.read_bytes(), pub.read_bytes()
    fails(run("token", "recovery-keygen", "--out", out, "--public-out", tmp_path / "new.pub", "--pin-env", "P",
              env=env), 2, text="give --force")
    assert out.read_bytes() == key and not (tmp_path / "new.pub").exists()
    fails(run("token", "recovery-keygen", "--out", tmp_path / "k2", "--public-out", tmp_path / "k2", "--pin-env", "P",
              env=env), 2, text="different files")
    assert run("token", "recovery-keygen", "--out", out, "--public-out", pub, "--pin-env", "P", "--force",
               env=env).exit_code == 0
    assert out.read_bytes() != key and pub.read_bytes() != public
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_export_backup_never_quotes_the_private_key_file(tmp_path):
    env = {"P": "a passphrase"}
    uri = f"file:{tmp_path / 'store'}"
    run("token", "init", uri, "--pin-env", "P", env=env)
    run("frost", "keygen", "-o", tmp_path)
    run("token", "import-frost", uri, tmp_path / "share-1.json", "--key-id", "a", "--pin-env", "P", env=env)
    key = tmp_path / "rec.key"
    run("token", "recovery-keygen", "--out", key, "--public-out", tmp_path / "rec.pub", "--pin-env", "P", env=env)
    res = run("token", "export-backup", uri, "a", "--recovery-public", key, "--out", tmp_path / "b", "--pin-env", "P",
              env=env)
    line = fails(res, 2, text="PRIVATE key file")
    data = key.read_bytes()
    for chunk in (data[8:24], data[-16:]):
        assert repr(chunk)[2:-1] not in res.output and chunk.hex() not in res.output
    assert len(line) < 300
    junk = tmp_path / "junk.pub"
    junk.write_bytes(b"\x05xwingSECRETISH" + bytes(40))
    line = fails(run("token", "export-backup", uri, "a", "--recovery-public", junk, "--out", tmp_path / "b",
                     "--pin-env", "P", env=env), 2, text="not a recovery public key")
    assert "SECRETISH" not in line


def test_recovery_passphrase_hint_names_the_recovery_options(tmp_path):
    (tmp_path / "b").write_bytes(b"x")
    (tmp_path / "k").write_bytes(b"x")
    res = run("token", "import", f"file:{tmp_path / 's'}", "--backup", tmp_path / "b", "--recovery-key", tmp_path / "k",
              "--pin-env", "P", env={"P": "x"})
    fails(res, 2, text="--recovery-pin-file or --recovery-pin-env")
    # options of the other way of importing are refused, not ignored
    res = run("token", "import", f"file:{tmp_path / 's'}", "--backup", tmp_path / "b", "--recovery-key",
              tmp_path / "k", "--party", "1", "--pin-env", "P", env={"P": "x"})
    fails(res, 2, text="--party: not used with --backup")
    res = run("token", "import", f"file:{tmp_path / 's'}", "--share-file", tmp_path / "b", "--recovery-pin-env", "P",
              "--pin-env", "P", env={"P": "x"})
    fails(res, 2, text="--recovery-pin-env: not used without --backup")


def test_frost_sign_refuses_store_options_with_share_files(tmp_path):
    run("frost", "keygen", "-o", tmp_path)
    fails(run("frost", "sign", "--share", tmp_path / "share-1.json", "--pin-env", "P", "-m", "x",
              "-o", tmp_path / "s.json"), 2, text="go with --store")


def test_token_inputs_fail_cleanly(tmp_path):
    uri = f"file:{tmp_path / 's'}"
    fails(run("token", "import", uri, "--group-public-key", "zz", "--pin-env", "P", env={"P": "x"}), 2,
          text="--group-public-key is not valid hex")
    fails(run("token", "init", "pkcs11:token=x?module-path=/etc/passwd", "--pin-env", "P", env={"P": "1234"}), 2,
          text="the token library failed")


def test_import_frost_help_says_the_file_stays():
    res = run("token", "import-frost", "--help")
    text = " ".join(res.stdout.split())
    assert "then delete the file" not in text and "left in place" in text


# ---------------------------------------------------------------- policy explain
def _policy(tmp_path) -> Path:
    p = tmp_path / "policy.toml"
    p.write_text((EXAMPLE / "policy.toml").read_text())
    return p


def test_explain_verifies_private_proofs(tmp_path):
    from pqzk.policy import load_policy
    from pqzk.policy.private import private_request
    policy = _policy(tmp_path)
    fake = {k: v for k, v in REQUEST.items() if k not in ("amount", "destination")}
    fake["private"] = {"max_amount": 5000, "commitments": "00", "proof": "00"}
    r = tmp_path / "fake.json"
    r.write_text(json.dumps(fake))
    res = run("policy", "explain", policy, r, *NOW, "--json")
    fails(res, 1, text="compliance_proof")
    out = json.loads(res.stdout)
    assert out["decision"]["allowed"] is False and out["decision"]["rule"] == "compliance_proof"
    rows = {row["rule"]: row for row in out["rules"]}
    assert rows["compliance_proof"]["status"] == "fail"
    assert rows["whitelist"]["status"] == "fail" and "not proven" in rows["whitelist"]["why"]
    res = run("policy", "explain", policy, r, *NOW)
    assert "membership proven" not in res.stdout and "allowed" not in res.stdout.replace("refused", "")
    # a real proof verifies and is allowed
    req, _ = private_request(load_policy(policy), 3_000, "bob", b"\x11" * 32, 1_700_000_000, max_amount=5_000)
    real = tmp_path / "real.json"
    real.write_text(json.dumps(req.to_dict()))
    res = run("policy", "explain", policy, real, *NOW, "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["decision"]["allowed"] is True
    assert {r["rule"]: r["status"] for r in out["rules"]}["compliance_proof"] == "pass"


@pytest.mark.parametrize("amount", ["4000.5", "4000.0", "1e400", '"4000"', "true"])
def test_explain_refuses_non_integer_amounts(tmp_path, amount):
    r = tmp_path / "r.json"
    r.write_text(json.dumps(REQUEST).replace('"amount": 4000', f'"amount": {amount}'))
    fails(run("policy", "explain", _policy(tmp_path), r, *NOW), 2, text="amount" if amount != "1e400" else "finite")


@pytest.mark.parametrize("content,text", [(None, "no such file"), (b"\x9b\xff", "not UTF-8"),
                                          (b"[1,2]", "expected a JSON object"), (b"", "not valid JSON")])
def test_explain_bad_request_files(tmp_path, content, text):
    r = tmp_path / "r.json"
    if content is not None:
        r.write_bytes(content)
    fails(run("policy", "explain", _policy(tmp_path), r), 2, text=text)
    fails(run("policy", "explain", _policy(tmp_path), tmp_path), 2, text="is a directory")


def test_explain_allowed_is_exit_0(tmp_path):
    r = tmp_path / "r.json"
    r.write_text(json.dumps(REQUEST))
    res = run("policy", "explain", _policy(tmp_path), r, *NOW)
    assert res.exit_code == 0 and "allowed" in res.stdout and res.stderr == ""


# ---------------------------------------------------------------- audit
def test_audit_commands_on_bad_files(tmp_path):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from pqzk.policy.audit import AuditLog
    fails(run("audit", "verify", "/tmp"), 2, text="is a directory")
    fails(run("audit", "show", tmp_path / "missing.db"), 2, text="no such file")
    assert not (tmp_path / "missing.db").exists()             # no empty database created
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all")
    fails(run("audit", "show", junk), 2, text="not an SQLite database")
    fails(run("audit", "verify", junk, "--json"), 2, text="not an SQLite database")
    db = tmp_path / "a.db"
    with AuditLog(db, Ed25519PrivateKey.generate()) as log:
        for i in range(3):
            log.append("note", {"i": i})
    for last in ("0", "-1"):
        fails(run("audit", "show", db, "--last", last), 2, text="--last")
    res = run("audit", "show", db, "--last", "2", "--json")
    assert [r["seq"] for r in json.loads(res.stdout)["records"]] == [2, 3]
    fails(run("audit", "verify", db, "--public-key", "zz"), 2, text="--public-key")
    fails(run("audit", "verify", db, "--expect-head", "x:00"), 2, text="--expect-head")
    half = tmp_path / "half.db"
    half.write_bytes(db.read_bytes()[:2048])                  # an SQLite header, then nothing
    res = run("audit", "verify", half, "--json")
    assert res.exit_code in (1, 2) and "error" in json.loads(res.stdout)


def test_authorize_checks_the_audit_path_first(tmp_path, monkeypatch):
    import pqzk.policy.scenario as scenario
    monkeypatch.setattr(scenario.Scenario, "__init__", lambda *a: pytest.fail("loaded before the path check"))
    fails(run("authorize", EXAMPLE / "scenario.toml", "--audit", "/proc/no-such-dir/a.db"), 2, text="does not exist")
    existing = tmp_path / "a.db"
    existing.write_bytes(b"")
    fails(run("authorize", EXAMPLE / "scenario.toml", "--audit", existing), 2, text="already exists")


# ---------------------------------------------------------------- compare --plot
@pytest.fixture
def no_measuring(monkeypatch):
    from pqzk.pq import comparison
    monkeypatch.setattr(comparison, "run", lambda *a, **k: pytest.fail("measured before checking --plot"))


@pytest.mark.parametrize("plot,text", [("/tmp", "give a file name ending in"), ("x.txt", "ending in .png"),
                                       ("/proc/no-such-dir/p.png", "does not exist")])
def test_compare_plot_is_checked_before_measuring(tmp_path, no_measuring, plot, text):
    fails(run("compare", "--repeat", "1", "--plot", plot), 2, text=text)


def test_compare_plot_existing_file_and_missing_matplotlib(tmp_path, no_measuring, monkeypatch):
    existing = tmp_path / "p.png"
    existing.write_bytes(b"old")
    fails(run("compare", "--plot", existing), 2, text="give --force")
    assert existing.read_bytes() == b"old"
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    fails(run("compare", "--plot", tmp_path / "new.png"), 2, text="matplotlib")


@pytest.mark.parametrize("suffix,magic", [(".svg", b"<?xml"), (".png", b"\x89PNG"), (".pdf", b"%PDF")])
def test_compare_plot_format_follows_the_suffix(tmp_path, monkeypatch, suffix, magic):
    from pqzk.pq import comparison
    rows = [comparison.SchemeResult("Y", "classical", True, "", 32, 64, 64, 0.1, 0.2, 0.3, 1, 64, "")]
    monkeypatch.setattr(comparison, "run", lambda *a, **k: rows)
    out = tmp_path / f"plot{suffix}"
    res = run("compare", "--plot", out)
    assert res.exit_code == 0, res.output
    assert out.read_bytes().startswith(magic) and f"plotwrittento{out}" in "".join(res.stdout.split())
    assert not Path(str(out) + suffix).exists()


def test_authorize_refuses_a_leftover_audit_head_file(tmp_path):
    """A head file left by a deleted log of the same name is named before any work is done."""
    (tmp_path / "run.db.head").write_bytes(b"left over")
    res = CliRunner().invoke(app, ["authorize", str(EXAMPLE / "scenario.toml"), "--audit", str(tmp_path / "run.db")])
    assert res.exit_code == 2 and "run.db.head already exists" in res.stderr
    assert not (tmp_path / "run.db").exists()
