"""`pqzk node`, `pqzk committee`, `pqzk ceremony` and `pqzk authorize --committee` end to end: node
homes and committee files made and signed with the CLI, nodes as real `pqzk node run` processes over
a private nats-server on loopback, ceremonies and policy signing started by the CLI, a cold node's
turn by bundles (`pqzk node step`), `--local N`, TLS and credentials; and the refusals of each.

Every wait is bounded; every process a test starts is stopped by the test (SIGTERM, then SIGKILL)."""
from __future__ import annotations

import hashlib
import json
import os
import secrets
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "runtime"))
from nats_helpers import nats_server, private_server, process_gone, require_nats_server  # noqa: E402,F401

import pqzk  # noqa: E402
from pqzk.cli.main import app  # noqa: E402
from pqzk.node.committee import Committee  # noqa: E402
from pqzk.node.home import NodeHome  # noqa: E402
from pqzk.policy.authorization import Authorization, verify_authorization  # noqa: E402
from pqzk.policy.model import Policy  # noqa: E402
from pqzk.policy.messages import AuthShare  # noqa: E402
from pqzk.policy.request import AuthorizationRequest  # noqa: E402
from pqzk.runtime.transports.files import decode_bundle, encode_bundle  # noqa: E402
from pqzk.runtime.transports.nats_server import free_port  # noqa: E402
from pqzk.threshold.frost.ciphersuite import get_ciphersuite  # noqa: E402
from pqzk.threshold.frost.types import PublicKeyPackage  # noqa: E402

SRC = Path(pqzk.__file__).resolve().parents[1]   # the import root of the pqzk under test (src/ or site-packages)
PASS_VAR, PASS = "PQZK_TEST_NODE_PASS", "node passphrase for the cli tests"
POLICY = {"version": 1, "name": "cli", "quorum": {"min_signers": 2}, "limits": {"per_transaction": 1000},
          "signers": {"1": {"roles": ["ops"]}, "2": {"roles": ["ops"]}, "3": {"roles": ["ops"]}}}
runner = CliRunner()


pytestmark = pytest.mark.usefixtures("fast_kdf")   # tests/conftest.py


def cli(*args, env=None):
    return runner.invoke(app, [str(a) for a in args], env={PASS_VAR: PASS, **(env or {})})


def ok(*args, **kw):
    res = cli(*args, **kw)
    assert res.exit_code == 0, (args, res.output)
    return res


def fails(res, code: int, text: str = "") -> str:
    assert res.exit_code == code, (res.exit_code, res.output)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in res.output, res.stderr
    assert text in lines[0], lines[0]
    return lines[0]


def env() -> dict:
    e = {**os.environ, PASS_VAR: PASS, "PYTHONPATH": str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    e.pop("PQZK_DEBUG", None)
    return e


def pqzk(*args, timeout: float = 60, extra_env: dict | None = None) -> subprocess.CompletedProcess:
    """The real command in its own process."""
    return subprocess.run([sys.executable, "-m", "pqzk.cli.main", *map(str, args)], capture_output=True, text=True,
                          env={**env(), **(extra_env or {})}, timeout=timeout)


def make_committee(d: Path, n: int = 3, *, policy: dict | None = POLICY, threshold: int = 2,
                   version: int = 1) -> Path:
    """n node homes and a coordinator home (pqzk node init), the committee file, signed by all; the
    nodes' audit log keys as `node init` printed them in audit_keys.json."""
    keys = {}
    for i in range(1, n + 1):
        keys[i] = json.loads(ok("node", "init", "--home", d / f"n{i}", "--id", i, "--pin-env", PASS_VAR,
                                "--json").stdout)["audit_key"]
    (d / "audit_keys.json").write_text(json.dumps(keys))
    ok("node", "init", "--home", d / "coord", "--id", "coordinator", "--pin-env", PASS_VAR)
    args = ["committee", "create", "--name", "cli-" + secrets.token_hex(4), "-t", threshold, "-o", d / "committee.json",
            "--coordinator", d / "coord" / "public.json", "--version", version]
    for i in range(1, n + 1):
        args += ["--node", d / f"n{i}" / "public.json"]
    if policy is not None:
        (d / "policy.json").write_text(json.dumps(policy))
        args += ["--policy", d / "policy.json"]
    ok(*args)
    for i in range(1, n + 1):
        ok("committee", "sign", "--home", d / f"n{i}", d / "committee.json", "--force", "--pin-env", PASS_VAR)
    return d / "committee.json"


class Nodes:
    """`pqzk node run` processes, each waited for until it prints its ready line."""

    def __init__(self, d: Path, committee: Path, urls: list[str], extra: list[str] = (), extra_env=None) -> None:
        self.d, self.committee, self.urls, self.extra = d, committee, urls, list(extra)
        self.extra_env = extra_env or {}
        self.procs: dict[int, subprocess.Popen] = {}

    def start(self, *ids: int, wait: bool = True) -> None:
        for i in ids:
            cmd = [sys.executable, "-m", "pqzk.cli.main", "node", "run", "--home", str(self.d / f"n{i}"),
                   "--committee", str(self.committee), "--pin-env", PASS_VAR, "--json", *self.extra]
            for u in self.urls:
                cmd += ["--nats", u]
            self.procs[i] = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                             env={**env(), **self.extra_env}, start_new_session=True)
        if wait:
            for i in ids:
                assert self.line(i)["event"] == "ready"

    def line(self, i: int, limit: float = 60.0) -> dict:
        """The next JSON line node i prints (bounded wait)."""
        p = self.procs[i]
        sel = selectors.DefaultSelector()
        sel.register(p.stdout, selectors.EVENT_READ)
        try:
            if not sel.select(limit):
                raise AssertionError(f"node {i} printed nothing in {limit} s")
        finally:
            sel.close()
        text = p.stdout.readline()
        assert text, f"node {i} exited: {p.stderr.read()}"
        return json.loads(text)

    def signal(self, i: int, sig: int) -> int:
        self.procs[i].send_signal(sig)
        return self.procs[i].wait(15)

    def close(self) -> None:
        for p in self.procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs.values():
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)
            for f in (p.stdout, p.stderr):
                f.close()


def request(tag: str, amount: int = 10, destination: str = "alice") -> dict:
    h = hashlib.sha256(tag.encode() + secrets.token_bytes(8)).digest()
    return {"request_id": h[:16].hex(), "tx_digest": hashlib.sha256(b"tx" + h).hexdigest(), "time": int(time.time()),
            "policy_version": 1, "amount": amount, "destination": destination}


def group_key(home: Path) -> PublicKeyPackage:
    return PublicKeyPackage.from_bytes(get_ciphersuite("FROST-ED25519-SHA512-v1"),
                                       (home / "public_key_package").read_bytes())


# ---------------------------------------------------------------- homes and committee files
def test_homes_and_the_committee_file(tmp_path):
    c = make_committee(tmp_path)
    doc = json.loads(c.read_text())
    assert doc["format"] == "pqzk-committee/1" and sorted(doc["signatures"]) == ["1", "2", "3"]
    res = ok("committee", "verify", c, "--json")
    info = json.loads(res.stdout)
    assert info["valid"] and info["signed_by"] == [1, 2, 3] and info["policy"]["name"] == "cli"
    assert info["threshold"] == 2 and [n["id"] for n in info["coordinators"]] == ["coordinator"]
    shown = json.loads(ok("node", "show", "--home", tmp_path / "n2", "--json").stdout)
    assert shown["id"] == 2 and shown["committee"] is None and shown["public_key_package"] is None
    assert shown["signing_key"] == next(n["signing_key"] for n in info["nodes"] if n["id"] == 2)
    assert PASS not in json.dumps(shown) and "store" in shown

    # an unsigned copy: verify names who has not signed; sign to -o, or in place only with --force
    ok("committee", "create", "--name", "other", "-t", "2", "--node", tmp_path / "n1" / "public.json",
       "--node", tmp_path / "n2" / "public.json", "--coordinator", tmp_path / "coord" / "public.json",
       "-o", tmp_path / "other.json")
    res = cli("committee", "verify", tmp_path / "other.json", "--json")
    fails(res, 1, "not signed by nodes [1, 2]")
    assert json.loads(res.stdout)["valid"] is False
    fails(cli("committee", "sign", "--home", tmp_path / "n1", tmp_path / "other.json", "--pin-env", PASS_VAR),
          2, "--force")
    ok("committee", "sign", "--home", tmp_path / "n1", tmp_path / "other.json", "-o", tmp_path / "other1.json",
       "--pin-env", PASS_VAR)
    assert sorted(json.loads((tmp_path / "other1.json").read_text())["signatures"]) == ["1"]
    assert json.loads((tmp_path / "other.json").read_text())["signatures"] == {}      # untouched
    fails(cli("committee", "sign", "--home", tmp_path / "n1", tmp_path / "other.json", "-o",
              tmp_path / "other1.json", "--pin-env", PASS_VAR), 2, "already exists")
    fails(cli("committee", "sign", "--home", tmp_path / "n3", tmp_path / "other.json", "-o",
              tmp_path / "other3.json", "--pin-env", PASS_VAR), 2, "not in the committee")
    fails(cli("committee", "sign", "--home", tmp_path / "n1", tmp_path / "other.json", "-o",
              tmp_path / "other4.json", "--pin-env", PASS_VAR, env={PASS_VAR: "wrong"}), 1)
    assert not (tmp_path / "other4.json").exists()

    # any change after signing breaks every signature
    doc["key"]["threshold"] = 3
    (tmp_path / "tampered.json").write_text(json.dumps(doc))
    fails(cli("committee", "verify", tmp_path / "tampered.json"), 1, "does not verify")


def test_a_committee_version_that_changes_the_nodes_needs_the_previous_versions_approval(tmp_path):
    """Nodes 3 and a newcomer 4 sign a version 2 that makes them the committee: each signed it,
    but version 1 (2-of-3) needs two of its nodes to approve, and only 3 did. Node 1 endorses."""
    c1 = make_committee(tmp_path)
    empty = tmp_path / "empty.bundle"
    empty.write_bytes(encode_bundle([]))
    for i in (1, 3):                                            # nodes 1 and 3 accept version 1
        ok("node", "step", "--home", tmp_path / f"n{i}", "--committee", c1, "--inbox", empty, "--outbox",
           tmp_path / f"pin-{i}.bundle", "--pin-env", PASS_VAR)
    ok("node", "init", "--home", tmp_path / "n4", "--id", "4", "--pin-env", PASS_VAR)
    c2 = tmp_path / "committee-v2.json"
    ok("committee", "create", "--name", json.loads(c1.read_text())["committee"], "-t", "2", "--version", "2",
       "--node", tmp_path / "n3" / "public.json", "--node", tmp_path / "n4" / "public.json",
       "--coordinator", tmp_path / "coord" / "public.json", "-o", c2)
    for i in (3, 4):
        ok("committee", "sign", "--home", tmp_path / f"n{i}", c2, "--force", "--pin-env", PASS_VAR)
    ok("committee", "verify", c2)                              # valid on its own: every node it lists signed
    res = cli("committee", "verify", c2, "--previous", c1, "--json")
    fails(res, 1, "needs the approval of 2 of version 1's nodes")
    info = json.loads(res.stdout)
    assert info["changes"] == ["nodes"] and info["approved_by"] == [3] and info["approvals_needed"] == 2
    fails(cli("node", "step", "--home", tmp_path / "n3", "--committee", c2, "--inbox", empty, "--outbox",
              tmp_path / "x.bundle", "--pin-env", PASS_VAR), 1, "approval")
    # endorsing: node 1, of version 1, approves version 2
    fails(cli("committee", "endorse", "--home", tmp_path / "n1", c2, "--pin-env", PASS_VAR), 2, "--force")
    fails(cli("committee", "endorse", "--home", tmp_path / "n4", c2, "--force", "--pin-env", PASS_VAR), 2,
          "accepted no committee file")
    fails(cli("committee", "endorse", "--home", tmp_path / "n1", c1, "-o", tmp_path / "e.json",
              "--pin-env", PASS_VAR), 2, "not newer")
    fails(cli("committee", "endorse", "--home", tmp_path / "n1", c2, "--force", "--pin-env", PASS_VAR,
              env={PASS_VAR: "wrong"}), 1)
    res = ok("committee", "endorse", "--home", tmp_path / "n1", c2, "--force", "--pin-env", PASS_VAR, "--json")
    out = json.loads(res.stdout)
    assert out["endorser"] == 1 and out["approved_by"] == [1, 3] and out["endorsements"] == ["1"]
    assert json.loads(ok("committee", "verify", c2, "--previous", c1, "--json").stdout)["valid"] is True
    ok("node", "step", "--home", tmp_path / "n3", "--committee", c2, "--inbox", empty, "--outbox",
       tmp_path / "y.bundle", "--pin-env", PASS_VAR)           # node 3 now accepts version 2
    assert json.loads(ok("node", "show", "--home", tmp_path / "n3", "--json").stdout)["committee"]["version"] == 2


def test_a_committee_file_can_carry_the_key_for_nodes_new_to_it(tmp_path):
    from pqzk.threshold import frost
    kps, pkp = frost.trusted_dealer_keygen("FROST-ED25519-SHA512-v1", 2, 2)
    (tmp_path / "pkp").write_bytes(pkp.to_bytes())
    (tmp_path / "bad").write_bytes(pkp.to_bytes()[:-1])
    for i in (1, 2):
        ok("node", "init", "--home", tmp_path / f"n{i}", "--id", i, "--pin-env", PASS_VAR)
    ok("node", "init", "--home", tmp_path / "c", "--id", "coordinator", "--pin-env", PASS_VAR)
    base = ["committee", "create", "--name", "keyed", "-t", "2", "--node", tmp_path / "n1" / "public.json",
            "--node", tmp_path / "n2" / "public.json", "--coordinator", tmp_path / "c" / "public.json"]
    info = json.loads(ok(*base, "--public-key-package", tmp_path / "pkp", "-o", tmp_path / "k.json", "--json").stdout)
    assert info["group_key"] == pkp.verifying_key.to_bytes().hex()
    fails(cli(*base, "--public-key-package", tmp_path / "bad", "-o", tmp_path / "b.json"), 2, "--public-key-package")
    assert not (tmp_path / "b.json").exists()


def test_node_init_and_committee_create_refusals(tmp_path):
    ok("node", "init", "--home", tmp_path / "n1", "--id", "1", "--pin-env", PASS_VAR)
    ok("node", "init", "--home", tmp_path / "c", "--id", "coordinator", "--pin-env", PASS_VAR)
    before = (tmp_path / "n1" / "public.json").read_bytes()
    fails(cli("node", "init", "--home", tmp_path / "n1", "--id", "4", "--pin-env", PASS_VAR), 2, "not an empty")
    assert (tmp_path / "n1" / "public.json").read_bytes() == before                      # never replaced
    fails(cli("node", "init", "--home", tmp_path / "n0", "--id", "0", "--pin-env", PASS_VAR), 2, "--id")
    fails(cli("node", "init", "--home", tmp_path / "n9", "--id", "9"), 2, "--pin-file or --pin-env")
    fails(cli("node", "init", "--home", tmp_path / "n8", "--id", "8", "--store", "zz:", "--pin-env", PASS_VAR), 2)
    assert not (tmp_path / "n8").exists()                        # no half-made home left behind
    ok("node", "init", "--home", tmp_path / "n2", "--id", "2", "--pin-env", PASS_VAR)
    n1, n2, co = (tmp_path / d / "public.json" for d in ("n1", "n2", "c"))
    base = ["committee", "create", "--name", "x", "-o", tmp_path / "x.json"]
    fails(cli(*base, "-t", "1", "--node", n1, "--node", n2, "--coordinator", co), 2, "--threshold")   # FROST: t >= 2
    fails(cli(*base, "-t", "2", "--coordinator", co), 2, "--node")
    fails(cli(*base, "-t", "2", "--node", n1, "--node", n2), 2, "--coordinator")
    fails(cli(*base, "-t", "2", "--node", n1, "--node", co, "--coordinator", co), 2, "integers")   # a name cannot sign
    fails(cli(*base, "-t", "2", "--node", n1, "--node", n1, "--coordinator", co), 2, "distinct")
    (tmp_path / "p.json").write_text(json.dumps(POLICY))                                   # names signer 3 too
    fails(cli(*base, "-t", "2", "--node", n1, "--node", n2, "--coordinator", co, "--policy", tmp_path / "p.json"),
          2, "not nodes")
    fails(cli(*base, "-t", "3", "--node", n1, "--node", n2, "--coordinator", co), 2, "threshold")
    fails(cli(*base[:-2], "-o", tmp_path / "y", "-t", "2", "--node", n1, "--node", n2, "--coordinator", co,
              "--suite", "no-such-suite"), 2, "ciphersuite")
    assert not (tmp_path / "x.json").exists() and not (tmp_path / "y").exists()


def test_a_stale_or_foreign_committee_file_is_refused_before_any_network(tmp_path):
    c1 = make_committee(tmp_path)
    c2 = tmp_path / "committee-v2.json"
    ok("committee", "create", "--name", json.loads(c1.read_text())["committee"], "-t", "2", "--version", "2",
       *sum((["--node", tmp_path / f"n{i}" / "public.json"] for i in (1, 2, 3)), []),
       "--coordinator", tmp_path / "coord" / "public.json", "--policy", tmp_path / "policy.json", "-o", c2)
    for i in (1, 2, 3):
        ok("committee", "sign", "--home", tmp_path / f"n{i}", c2, "--force", "--pin-env", PASS_VAR)
    empty = tmp_path / "empty.bundle"
    empty.write_bytes(encode_bundle([]))
    ok("node", "step", "--home", tmp_path / "n1", "--committee", c2, "--inbox", empty, "--outbox",
       tmp_path / "out.bundle", "--pin-env", PASS_VAR)                                   # node 1 accepts version 2
    assert json.loads(ok("node", "show", "--home", tmp_path / "n1", "--json").stdout)["committee"]["version"] == 2
    closed = f"nats://127.0.0.1:{free_port()}"
    fails(cli("node", "run", "--home", tmp_path / "n1", "--committee", c1, "--nats", closed, "--pin-env", PASS_VAR),
          1, "older than version 2")
    fails(cli("node", "step", "--home", tmp_path / "n1", "--committee", c1, "--inbox", empty, "--outbox",
              tmp_path / "out2.bundle", "--pin-env", PASS_VAR), 1, "stale")
    renamed = tmp_path / "renamed.json"                      # the same nodes under another committee name
    ok("committee", "create", "--name", "renamed", "-t", "2", "-o", renamed,
       *sum((["--node", tmp_path / f"n{i}" / "public.json"] for i in (1, 2, 3)), []),
       "--coordinator", tmp_path / "coord" / "public.json")
    for i in (1, 2, 3):
        ok("committee", "sign", "--home", tmp_path / f"n{i}", renamed, "--force", "--pin-env", PASS_VAR)
    fails(cli("node", "run", "--home", tmp_path / "n1", "--committee", renamed, "--nats", closed,
              "--pin-env", PASS_VAR), 1, "belongs to committee")
    (tmp_path / "other").mkdir()
    other = make_committee(tmp_path / "other")               # nodes 1, 2, 3 of another committee: other keys
    fails(cli("node", "run", "--home", tmp_path / "n3", "--committee", other, "--nats", closed,
              "--pin-env", PASS_VAR), 2, "keys are not the ones")
    ok("node", "step", "--home", tmp_path / "n3", "--committee", c2, "--inbox", empty, "--outbox",
       tmp_path / "out3.bundle", "--pin-env", PASS_VAR)          # the foreign file was not pinned
    two = tmp_path / "two"
    two.mkdir()
    make_committee(two, 2, policy=None)                        # nodes 1 and 2 only
    fails(cli("node", "run", "--home", two / "n3", "--committee", two / "committee.json", "--nats", closed,
              "--pin-env", PASS_VAR), 2, "no such directory")
    fails(cli("node", "run", "--home", tmp_path / "n3", "--committee", two / "committee.json", "--nats", closed,
              "--pin-env", PASS_VAR), 2, "not in committee")


def test_network_options_are_checked_before_connecting(tmp_path):
    c = make_committee(tmp_path)
    node = ["node", "run", "--home", tmp_path / "n1", "--committee", c, "--pin-env", PASS_VAR]
    fails(cli(*node), 2, "--nats")
    fails(cli(*node, "--nats", "http://127.0.0.1:4222"), 2, "nats://")
    fails(cli(*node, "--nats", "nats://127.0.0.1:1", "--user", "n1"), 2, "--password-env")
    fails(cli(*node, "--nats", "nats://127.0.0.1:1", "--user", "n1", "--password-env", "PQZK_NO_SUCH_VAR"), 2,
          "not set")
    (tmp_path / "ca.pem").write_text("not a certificate\n")
    fails(cli(*node, "--nats", "tls://127.0.0.1:1", "--tls-ca", tmp_path / "ca.pem"), 2, "not a PEM")
    t = time.monotonic()
    line = fails(cli(*node, "--nats", f"nats://127.0.0.1:{free_port()}"), 2, "cannot connect to NATS")
    assert time.monotonic() - t < 15 and PASS not in line
    cer = ["ceremony", "dkg"]
    fails(cli(*cer), 2, "--local N")
    fails(cli(*cer, "--local", "3", "--committee", c), 2, "--local runs its own")
    fails(cli(*cer, "--threshold", "2", "--committee", c), 2, "--threshold goes with --local")
    fails(cli(*cer, "--local", "3", "--threshold", "4"), 2, "more than the 3 nodes")
    fails(cli(*cer, "--local", "1"), 2)
    fails(cli(*cer, "--committee", c, "--coordinator-home", tmp_path / "n1", "--nats", "nats://127.0.0.1:1",
              "--pin-env", PASS_VAR), 2, "not a coordinator")
    fails(cli("ceremony", "refresh", "--committee", c, "--coordinator-home", tmp_path / "coord",
              "--nats", "nats://127.0.0.1:1", "--pin-env", PASS_VAR), 2, "run pqzk ceremony dkg first")
    req = tmp_path / "req.json"
    req.write_text(json.dumps(request("x")))
    auth = ["authorize", req, "--committee", c, "--coordinator-home", tmp_path / "coord", "--pin-env", PASS_VAR]
    fails(cli(*auth, "--nats", "nats://127.0.0.1:1", "--audit", tmp_path / "a.db"), 2, "--audit goes with a scenario")
    fails(cli("authorize", req, "--nats", "nats://127.0.0.1:1"), 2, "goes with --committee")
    fails(cli(*auth[:-4], "--coordinator-home", tmp_path / "n1", "--pin-env", PASS_VAR,
              "--nats", f"nats://127.0.0.1:{free_port()}"), 2, "not a coordinator")


# ---------------------------------------------------------------- real node processes over NATS
def test_nodes_run_ceremonies_and_sign_and_stop_cleanly(tmp_path, nats_server):  # noqa: F811
    c = make_committee(tmp_path)
    nodes = Nodes(tmp_path, c, [nats_server.url])
    net = ["--committee", c, "--coordinator-home", tmp_path / "coord", "--nats", nats_server.url,
           "--pin-env", PASS_VAR]
    try:
        nodes.start(1, 2, 3)
        r = pqzk("ceremony", "dkg", *net, "--json")
        assert r.returncode == 0, r.stderr
        dkg = json.loads(r.stdout)
        assert dkg["reports"] == {"1": "finished", "2": "finished", "3": "finished"} and dkg["threshold"] == 2
        pkp = group_key(tmp_path / "coord")
        assert pkp.verifying_key.to_bytes().hex() == dkg["group_key"]
        assert all(group_key(tmp_path / f"n{i}") == pkp for i in (1, 2, 3))
        r = pqzk("ceremony", "dkg", *net)                     # a second DKG would replace the key: refused
        assert r.returncode == 1 and "already has a key" in r.stderr and len(r.stderr.splitlines()) == 1

        req = tmp_path / "req.json"
        req.write_text(json.dumps(request("pay")))
        r = pqzk("authorize", req, *net, "-o", tmp_path / "auth.json")
        assert r.returncode == 0, r.stderr
        doc = json.loads((tmp_path / "auth.json").read_text())
        assert doc["format"] == "pqzk-authorization/1"
        auth = Authorization.from_bytes(bytes.fromhex(doc["authorization"]))
        verify_authorization(auth, AuthorizationRequest.from_dict(json.loads(req.read_text())),
                             Policy.from_dict(POLICY), pkp)
        r = pqzk("authorize", req, *net, "-o", tmp_path / "auth2.json")                # the same request again
        assert r.returncode == 1 and "replay" in r.stderr and not (tmp_path / "auth2.json").exists()
        big = tmp_path / "big.json"
        big.write_text(json.dumps(request("big", amount=5000)))
        r = pqzk("authorize", big, *net, "--json")
        assert r.returncode == 1 and json.loads(r.stdout)["error"]["type"] == "PolicyViolation"

        r = pqzk("ceremony", "refresh", *net, "--json")
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["group_key"] == dkg["group_key"]
        r = pqzk("ceremony", "repair", *net, "--target", "3", "--json")
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["participants"] == [1, 2, 3]

        assert nodes.signal(2, signal.SIGKILL) == -signal.SIGKILL      # node 2 is gone, mid-nothing
        req3 = tmp_path / "req3.json"
        req3.write_text(json.dumps(request("after the kill")))
        r = pqzk("authorize", req3, *net, "--json")
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["summary"]["signers"] == [1, 3]
        req4 = tmp_path / "req4.json"
        req4.write_text(json.dumps(request("only 1 and the dead node")))
        r = pqzk("authorize", req4, *net, "--signer", "1", "--signer", "2", "--json")
        err = json.loads(r.stdout)["error"]
        assert r.returncode == 1 and err["type"] == "ProtocolAbort" and "no answer from: 2" in err["message"]
        assert "culprits" not in err["message"]                          # silence is never blamed

        assert nodes.signal(1, signal.SIGTERM) == 0                  # a clean stop
        assert nodes.line(1) == {"event": "stopped", "node": 1, "sessions": 3}   # dkg, refresh, repair
        assert nodes.signal(3, signal.SIGINT) == 0                   # Ctrl-C: the same
        assert nodes.line(3)["event"] == "stopped"
        keys = json.loads((tmp_path / "audit_keys.json").read_text())
        ok("audit", "verify", tmp_path / "n3" / "audit.db", "--public-key", keys["3"])     # the node's own journal
        fails(cli("audit", "verify", tmp_path / "n3" / "audit.db", "--public-key", keys["1"]), 1)
        events = [e["body"].get("event") for e in json.loads(
            ok("audit", "show", tmp_path / "n3" / "audit.db", "--last", "100", "--json").stdout)["records"]]
        assert events.count("invitation accepted") == 3 and "signed" in events
        assert events.count("invitation refused") == 1               # the second DKG
    finally:
        nodes.close()


def test_a_cold_node_signs_by_bundles(tmp_path, nats_server):  # noqa: F811
    """Nodes 1 and 3 are cold: preprocessing and one-round signing reach them only as bundles, and
    `pqzk node step` is their whole turn. A bundle replayed gets no second signature share."""
    from pqzk.node.run import channel_for
    from pqzk.policy.coordinator import AuthorizationCoordinator
    from pqzk.policy.state import PolicyState
    from pqzk.runtime.frost_parties import FrostPreprocessor

    c = make_committee(tmp_path)
    nodes = Nodes(tmp_path, c, [nats_server.url])
    try:
        nodes.start(1, 2, 3)
        r = pqzk("ceremony", "dkg", "--committee", c, "--coordinator-home", tmp_path / "coord", "--nats",
                 nats_server.url, "--pin-env", PASS_VAR)
        assert r.returncode == 0, r.stderr
    finally:
        nodes.close()                                              # from now on every node is offline
    committee = Committee.load(c)
    pkp = group_key(tmp_path / "coord")

    def carry(frames_for: dict[int, list[bytes]], tag: str) -> dict[int, list[bytes]]:
        """Bundles to each node, `pqzk node step`, bundles back."""
        back = {}
        for i, frames in frames_for.items():
            inbox, outbox = tmp_path / f"to-{i}-{tag}.bundle", tmp_path / f"from-{i}-{tag}.bundle"
            inbox.write_bytes(encode_bundle(frames))
            res = ok("node", "step", "--home", tmp_path / f"n{i}", "--committee", c, "--inbox", inbox,
                     "--outbox", outbox, "--pin-env", PASS_VAR, "--json")
            assert json.loads(res.stdout)["refused"] == []
            back[i] = decode_bundle(outbox.read_bytes())
        return back

    with NodeHome(tmp_path / "coord").open(PASS, committee) as co:
        chan = channel_for(co)
        pre = FrostPreprocessor(pkp.suite, [1, 3], 1, co.keyring, session=b"pre")
        out = {i: [chan.wrap(m)[1] for m in pre.start() if m.recipient == i] for i in (1, 3)}
        for frames in carry(out, "pre").values():
            for f in frames:
                pre.receive(chan.unwrap(f))
        assert pre.result is not None
        req = AuthorizationRequest.from_dict(request("cold"))
        coord = AuthorizationCoordinator(PolicyState(Policy.from_dict(POLICY)), pkp, req, [1, 3], co.keyring,
                                         now=int(time.time()), session=b"sign",
                                         commitments={i: b[0] for i, b in pre.result.items()})
        first = coord.start()
        out = {i: [chan.wrap(m)[1] for m in first if m.recipient == i] for i in (1, 3)}
        for frames in carry(out, "sign").values():
            for f in frames:
                coord.receive(chan.unwrap(f))
        verify_authorization(coord.result, req, Policy.from_dict(POLICY), pkp)
        # the signing bundle carried to node 3 a second time: its nonce is spent, so no new share —
        # the very share it sent the first time (recorded before it left), which the coordinator ignores
        res = ok("node", "step", "--home", tmp_path / "n3", "--committee", c, "--inbox",
                 tmp_path / "to-3-sign.bundle", "--outbox", tmp_path / "again.bundle", "--pin-env", PASS_VAR,
                 "--json")
        again = [chan.unwrap(f) for f in decode_bundle((tmp_path / "again.bundle").read_bytes())]
        shares = [m for m in again if m is not None and m.kind == "auth_share"]
        assert [AuthShare.from_payload(m.payload, pkp.suite).share for m in shares] == [coord.shares[3]], \
            json.loads(res.stdout)
    fails(cli("node", "step", "--home", tmp_path / "n3", "--committee", c, "--inbox", tmp_path / "to-3-sign.bundle",
              "--outbox", tmp_path / "again.bundle", "--pin-env", PASS_VAR), 2, "already exists")
    (tmp_path / "junk.bundle").write_bytes(b"PQZKBNDL\x01\xff")
    fails(cli("node", "step", "--home", tmp_path / "n3", "--committee", c, "--inbox", tmp_path / "junk.bundle",
              "--outbox", tmp_path / "junk-out.bundle", "--pin-env", PASS_VAR), 2)


def test_nodes_over_tls_with_per_node_credentials(tmp_path):
    from pqzk.runtime.transports.nats_server import make_tls, make_users
    require_nats_server()
    users = make_users(["n1", "n2", "coordinator"])
    tls = make_tls(tmp_path / "tls")
    server = private_server(users=users, tls=tls)
    c = make_committee(tmp_path, 2, policy=None)
    started = []
    try:
        for i in (1, 2):
            n = Nodes(tmp_path, c, [server.url], ["--user", f"n{i}", "--password-env", "NATS_PASS", "--tls-ca",
                                                   str(tls.ca)], {"NATS_PASS": users[f"n{i}"]})
            started.append(n)
            n.start(i)
        r = pqzk("ceremony", "dkg", "--committee", c, "--coordinator-home", tmp_path / "coord", "--nats", server.url,
                 "--pin-env", PASS_VAR, "--user", "coordinator", "--password-env", "NATS_PASS",
                 "--tls-ca", tls.ca, "--json", extra_env={"NATS_PASS": users["coordinator"]})
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["reports"] == {"1": "finished", "2": "finished"}
        wrong = "not-" + users["n1"]
        r = pqzk("node", "run", "--home", tmp_path / "n1", "--committee", c, "--nats", server.url, "--pin-env",
                 PASS_VAR, "--user", "n1", "--password-env", "NATS_PASS", "--tls-ca", tls.ca,
                 extra_env={"NATS_PASS": wrong}, timeout=30)
        assert r.returncode == 2 and "cannot connect" in r.stderr and wrong not in r.stderr + r.stdout
        r = pqzk("node", "run", "--home", tmp_path / "n1", "--committee", c, "--nats", server.url, "--pin-env",
                 PASS_VAR, "--user", "n1", "--password-env", "NATS_PASS", extra_env={"NATS_PASS": users["n1"]},
                 timeout=30)                                        # no CA: the server's certificate is not trusted
        assert r.returncode == 2 and "cannot connect" in r.stderr
    finally:
        for n in started:
            n.close()
        server.close()


# ---------------------------------------------------------------- --local N


def test_ceremony_local_runs_everything_and_leaves_nothing_running():
    require_nats_server()
    t = time.monotonic()
    r = pqzk("ceremony", "reshare", "--local", "4", "--threshold", "2", "--new-threshold", "3", "--json",
             timeout=120)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["dkg"]["threshold"] == 2 and out["reshare"]["threshold"] == 3
    assert out["reshare"]["group_key"] == out["dkg"]["group_key"]
    assert out["signing"]["verified"] and len(out["signing"]["signers"]) == 3
    assert out["local"]["exit_statuses"] == {"1": 0, "2": 0, "3": 0, "4": 0}       # stopped cleanly by SIGTERM
    assert all(process_gone(pid) for pid in out["local"]["pids"])
    assert time.monotonic() - t < 60
    r = pqzk("ceremony", "repair", "--local", "3", "--target", "5", timeout=120)      # refused before starting
    assert r.returncode == 2 and "--target 5 is not one of the 3 local nodes" in r.stderr


def _ours(tmp: Path) -> list[int]:
    """Live processes whose command line names `tmp` (nodes and brokers of a --local run there)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (proc / "stat").read_text().split()[2]
        except OSError:
            continue
        if str(tmp) in cmd and state != "Z":
            pids.append(int(proc.name))
    return pids


def test_ceremony_local_stops_everything_on_failure_and_on_sigterm(tmp_path):
    require_nats_server()
    tmp = {"TMPDIR": str(tmp_path)}
    # fails after the DKG, with every node running: one helper cannot rebuild a 2-of-3 share
    r = pqzk("ceremony", "repair", "--local", "3", "--target", "3", "--helper", "1", extra_env=tmp, timeout=120)
    assert r.returncode == 2 and "at least 2 helpers" in r.stderr and len(r.stderr.splitlines()) == 1
    assert _ours(tmp_path) == [] and list(tmp_path.iterdir()) == []
    # SIGTERM while the nodes run: stopped, and said so
    p = subprocess.Popen([sys.executable, "-m", "pqzk.cli.main", "ceremony", "dkg", "--local", "3"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**env(), **tmp})
    try:
        deadline = time.monotonic() + 60
        while len(_ours(tmp_path)) < 3 and time.monotonic() < deadline and p.poll() is None:
            time.sleep(0.05)
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait(5)
    if p.returncode == 0:                          # it finished before the signal landed: nothing to stop
        assert "stopped every node" in out
    else:
        assert p.returncode == 1 and "interrupted" in err and len(err.splitlines()) == 1, err
    assert _ours(tmp_path) == [] and list(tmp_path.iterdir()) == []
