"""RFC 9380 expand_message vectors (tests/vectors/hash-to-curve/expand_message_*.json)."""
import pytest

from conftest import VECTORS, load_vectors
from pqzk.hashing import expand_message_xmd, expand_message_xof

FILES = sorted(p.name for p in (VECTORS / "hash-to-curve").glob("expand_message_*.json"))


def test_every_expander_has_its_vector_files():
    # an empty glob would parametrize the vector test over nothing (and skip it silently)
    assert FILES == sorted(["expand_message_xmd_SHA256_256.json", "expand_message_xmd_SHA256_38.json",
                            "expand_message_xmd_SHA512_38.json", "expand_message_xof_SHAKE128_256.json",
                            "expand_message_xof_SHAKE128_36.json", "expand_message_xof_SHAKE256_36.json"])


@pytest.mark.parametrize("fname", FILES)
def test_expand_message_vectors(fname):
    v = load_vectors(f"hash-to-curve/{fname}")
    h = v["hash"].lower().replace("-", "")
    dst = v["DST"].encode()
    assert v["tests"]
    for case in v["tests"]:
        n = int(case["len_in_bytes"], 16)
        if v["name"].startswith("expand_message_xmd"):
            out = expand_message_xmd(case["msg"].encode(), dst, n, h)
        else:
            out = expand_message_xof(case["msg"].encode(), dst, n, h)
        assert out.hex() == case["uniform_bytes"]


def test_expanders_refuse_text_and_accept_bytes_like():
    import pytest as _pytest

    from pqzk.errors import InvalidParameter
    from pqzk.hashing import expand_message_xmd, expand_message_xof
    for expand in (expand_message_xmd, expand_message_xof):
        with _pytest.raises(InvalidParameter, match="must be bytes"):
            expand("abc", b"DST", 32)
        with _pytest.raises(InvalidParameter, match="must be bytes"):
            expand(b"abc", "DST", 32)
        assert expand(memoryview(b"abc"), bytearray(b"DST"), 32) == expand(b"abc", b"DST", 32)
