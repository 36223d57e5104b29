"""Single-use FROST nonces on disk: marked used before they are returned, across processes and
crashes; a second request for one commitment is refused."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import pqzk
from pqzk.errors import InvalidEncoding, InvalidParameter, NonceReuse, ProtocolError
from pqzk.math.rand import DeterministicRNG
from pqzk.runtime import COORDINATOR, FrostCoordinator, FrostSigner, Simulator, generate_keyrings
from pqzk.runtime.frost_parties import FrostPreprocessor
from pqzk.runtime.nonces import PREPROCESSED
from pqzk.threshold import frost
from pqzk.threshold.frost import core
from pqzk.tokens.nonces import FileNonceStore

SUITE = frost.get_ciphersuite("FROST-ED25519-SHA512-v1")
KEY = bytes(range(32))
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def keys():
    return frost.trusted_dealer_keygen(SUITE, 2, 3, rng=DeterministicRNG(b"nonce-store"))


def _nonces(kp, seed=b"n"):
    return core.commit(SUITE, kp.identifier, kp.signing_share, DeterministicRNG(seed))


def test_put_take_once(tmp_path, keys):
    kps, _ = keys
    store = FileNonceStore(tmp_path, SUITE, KEY)
    nonces, comm = _nonces(kps[1])
    store.put(nonces, PREPROCESSED)
    assert store.kind(comm.to_bytes()) == PREPROCESSED
    assert store.take(comm.to_bytes()) == nonces
    assert store.kind(comm.to_bytes()) is None
    with pytest.raises(NonceReuse):
        store.take(comm.to_bytes())
    with pytest.raises(NonceReuse):                            # a reopened store remembers
        FileNonceStore(tmp_path, SUITE, KEY).take(comm.to_bytes())
    with pytest.raises(NonceReuse):                            # and refuses to store them again
        store.put(nonces)
    with pytest.raises(ProtocolError):
        store.take(b"never made")


def test_nonces_at_rest_are_sealed(tmp_path, keys):
    kps, _ = keys
    store = FileNonceStore(tmp_path, SUITE, KEY)
    nonces, comm = _nonces(kps[1])
    store.put(nonces)
    (f,) = [p for p in tmp_path.iterdir() if not p.name.startswith(".")]
    raw = f.read_bytes()
    for secret in (nonces.hiding, nonces.binding):
        assert SUITE.group.scalar_encode(secret) not in raw
    with pytest.raises(InvalidEncoding):                       # another key cannot open them
        FileNonceStore(tmp_path, SUITE, bytes(32)).take(comm.to_bytes())
    bad = bytearray(raw)
    bad[-3] ^= 1
    f.write_bytes(bytes(bad))
    with pytest.raises(InvalidEncoding):
        store.take(comm.to_bytes())


def test_arguments(tmp_path, keys):
    kps, _ = keys
    with pytest.raises(InvalidParameter):
        FileNonceStore(tmp_path, SUITE, b"short")
    other = frost.get_ciphersuite("FROST-secp256k1-SHA256-v1")
    n_other, _ = core.commit(other, 1, 5, DeterministicRNG(b"x"))
    with pytest.raises(InvalidParameter):
        FileNonceStore(tmp_path, SUITE, KEY).put(n_other)
    with pytest.raises(InvalidParameter):
        FileNonceStore(tmp_path, SUITE, KEY).put(_nonces(kps[1])[0], "someday")
    assert "redacted" in repr(FileNonceStore(tmp_path, SUITE, KEY))


def test_a_signer_with_a_file_store_never_signs_twice_after_a_restart(tmp_path, keys):
    """Preprocess, sign once, 'restart' the signer (a new object over the same directory), and
    ask again with the same commitment: refused."""
    kps, pkp = keys
    rings = generate_keyrings([COORDINATOR, 1, 2], rng=DeterministicRNG(b"r"))

    def signer(i):
        return FrostSigner(kps[i], rings[i], nonce_store=FileNonceStore(tmp_path / str(i), SUITE, KEY))

    signers = {i: signer(i) for i in (1, 2)}
    pre = FrostPreprocessor(SUITE, [1, 2], 2, rings[COORDINATOR], session=b"p")
    Simulator([pre, *signers.values()]).run(pre.start())
    comms = {i: b[0] for i, b in pre.result.items()}
    coord = FrostCoordinator(pkp, b"m", [1, 2], rings[COORDINATOR], session=b"a", commitments=comms)
    Simulator([coord, *signers.values()]).run(coord.start())
    frost.verify(SUITE, pkp.verifying_key, b"m", coord.result)
    restarted = {i: signer(i) for i in (1, 2)}
    again = FrostCoordinator(pkp, b"other", [1, 2], rings[COORDINATOR], session=b"b", commitments=comms)
    sim = Simulator([again, *restarted.values()])
    sim.run(again.start())
    assert again.result is None and {type(e).__name__ for _, e in sim.refusals} == {"NonceReuse"}
    # the second preprocessed commitment still signs after the restart
    fresh = {i: b[1] for i, b in pre.result.items()}
    third = FrostCoordinator(pkp, b"third", [1, 2], rings[COORDINATOR], session=b"c", commitments=fresh)
    Simulator([third, *restarted.values()]).run(third.start())
    frost.verify(SUITE, pkp.verifying_key, b"third", third.result)


CHILD = textwrap.dedent("""
    import os, sys
    from pqzk.math.rand import DeterministicRNG
    from pqzk.threshold import frost
    from pqzk.threshold.frost import core
    from pqzk.tokens.nonces import FileNonceStore
    suite = frost.get_ciphersuite("FROST-ED25519-SHA512-v1")
    kps, _ = frost.trusted_dealer_keygen(suite, 2, 3, rng=DeterministicRNG(b"nonce-store"))
    store = FileNonceStore(sys.argv[1], suite, bytes(range(32)))
    nonces, comm = core.commit(suite, 1, kps[1].signing_share, DeterministicRNG(b"kill"))
    if sys.argv[2] == "put":
        store.put(nonces)
        print(comm.to_bytes().hex(), flush=True)
    else:
        n = store.take(bytes.fromhex(sys.argv[3]))
        print("taken", flush=True)                 # the share would be sent only after this line
        sys.stdin.read()                             # wait to be killed
""")


def test_kill_9_after_take_never_allows_a_second_take(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(Path(pqzk.__file__).resolve().parents[1]) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    comm = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path), "put"], capture_output=True, text=True,
                          env=env, timeout=60, check=True).stdout.strip()
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(tmp_path), "take", comm], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert child.stdout.readline().strip() == "taken"
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    with pytest.raises(NonceReuse):
        FileNonceStore(tmp_path, SUITE, KEY).take(bytes.fromhex(comm))
