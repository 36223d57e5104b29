"""Policy, scenario and request documents: bounded, strict parsing. Every bad document is a
`pqzk.errors` exception naming the file and the field — never a UnicodeDecodeError, a ValueError
from Python's integer-digit limit, a RecursionError or an AttributeError."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from pqzk.errors import InvalidEncoding, InvalidParameter, PqzkError
from pqzk.files import read_bytes, read_text
from pqzk.policy.documents import MAX_DEPTH, MAX_INT, load_document, parse_document
from pqzk.policy.model import Policy, load_policy
from pqzk.policy.request import AuthorizationRequest
from pqzk.policy.scenario import Scenario

from test_policy import DOC

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "custody_policy"
REQUEST = {"request_id": "ab" * 16, "tx_digest": "cd" * 32, "time": 10_000, "policy_version": 1,
           "amount": 60_000, "destination": "alice"}


# ---------------------------------------------------------------- parsing
@pytest.mark.parametrize("toml", [False, True])
def test_non_utf8_is_invalid_encoding(toml):
    with pytest.raises(InvalidEncoding, match="doc: not UTF-8 text"):
        parse_document(b'name = "caf\xe9"' if toml else b'{"name": "caf\xe9"}', "doc", toml=toml)


@pytest.mark.parametrize("toml", [False, True])
def test_huge_integers_are_refused_quickly(toml):
    digits = "9" * 5000                        # beyond Python's 4,300-digit conversion limit
    data = f"version = {digits}\n" if toml else f'{{"version": {digits}}}'
    t = time.perf_counter()
    with pytest.raises(InvalidEncoding, match="out of range"):
        parse_document(data.encode(), "doc", toml=toml)
    assert time.perf_counter() - t < 1
    edge = f"version = {MAX_INT}\n" if toml else f'{{"version": {MAX_INT}}}'
    assert parse_document(edge.encode(), "doc", toml=toml)["version"] == MAX_INT
    over = f"version = {MAX_INT + 1}\n" if toml else f'{{"version": {MAX_INT + 1}}}'
    with pytest.raises(InvalidEncoding, match=r"out of range"):
        parse_document(over.encode(), "doc", toml=toml)


@pytest.mark.parametrize("toml", [False, True])
def test_deep_nesting_is_refused_not_recursion_error(toml):
    deep = "a = " + "[" * 10_000 + "]" * 10_000 + "\n" if toml else '{"a": ' + "[" * 10_000 + "]" * 10_000 + "}"
    with pytest.raises(InvalidEncoding, match="nested"):
        parse_document(deep.encode(), "doc", toml=toml)
    ok = '{"a": ' + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "}"
    parse_document(ok.encode(), "doc")
    with pytest.raises(InvalidEncoding, match="nested"):
        parse_document(('{"a": ' + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "}").encode(), "doc")
    # brackets inside strings are not nesting
    parse_document(json.dumps({"a": "[" * 10_000}).encode(), "doc")


@pytest.mark.parametrize("text,what", [("[1, 2]", "an array"), ('"x"', "a string"), ("3", "a number"),
                                       ("null", "null"), ("true", "a boolean")])
def test_non_object_documents(text, what):
    with pytest.raises(InvalidEncoding, match=f"expected a JSON object, got {what}"):
        parse_document(text.encode(), "doc")


@pytest.mark.parametrize("text", ['{"a": NaN}', '{"a": Infinity}', '{"a": -Infinity}', '{"a": 1e400}'])
def test_non_finite_numbers(text):
    with pytest.raises(InvalidEncoding, match="not finite"):
        parse_document(text.encode(), "doc")
    with pytest.raises(InvalidEncoding, match="not finite"):
        parse_document(b"a = inf", "doc", toml=True)


def test_duplicate_keys_are_refused():
    with pytest.raises(InvalidEncoding, match="duplicate key 'version'"):
        parse_document(b'{"version": 1, "version": 2}', "doc")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode), st.booleans())
def test_parse_document_raises_only_pqzk_errors(data, toml):
    try:
        doc = parse_document(data, "doc", toml=toml)
    except PqzkError:
        return
    assert isinstance(doc, dict)


@settings(max_examples=150, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
                    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
                    max_leaves=20))
def test_policy_from_any_json_value_raises_only_pqzk_errors(value):
    try:
        Policy.from_dict(value)
    except PqzkError:
        pass


# ---------------------------------------------------------------- policies
def _with(**changes) -> dict:
    doc = json.loads(json.dumps(DOC))
    for path, value in changes.items():
        node = doc
        keys = path.split("__")
        for k in keys[:-1]:
            node = node[int(k)] if k.isdigit() and isinstance(node, list) else node[k]
        node[keys[-1]] = value
    return doc


@pytest.mark.parametrize("path,value,where", [
    ("version", 1.0, r"\$\.version"),
    ("quorum__min_signers", 2.0, r"\$\.quorum\.min_signers"),
    ("limits__per_transaction", 50_000.0, r"\$\.limits\.per_transaction"),
    ("version", True, r"\$\.version"),
])
def test_integer_fields_refuse_floats_even_whole_ones(path, value, where):
    with pytest.raises(InvalidEncoding, match=where):
        Policy.from_dict(_with(**{path: value}))


def test_integer_fields_refuse_floats_in_files(tmp_path):
    p = tmp_path / "p.json"
    p.write_text(json.dumps(DOC).replace('"version": 1', '"version": 3.0'))
    with pytest.raises(InvalidEncoding, match=rf"{p.name}.*\$\.version"):
        load_policy(p)
    t = tmp_path / "p.toml"
    t.write_text((EXAMPLE / "policy.toml").read_text().replace("min_signers = 3", "min_signers = 3.0"))
    with pytest.raises(InvalidEncoding, match=r"p\.toml.*\$\.quorum\.min_signers"):
        load_policy(t)


@pytest.mark.parametrize("ident", ["²", "1\n", "01", "0", "١", "1" * 10, " 1"])
def test_signer_ids_are_ascii_digits(ident):
    doc = _with()
    doc["signers"][ident] = {}
    with pytest.raises(InvalidEncoding, match=r"\$\.signers"):
        Policy.from_dict(doc)


@pytest.mark.parametrize("content,exc,match", [
    (None, InvalidParameter, "no such file"),
    (b"\xff\xfe{}", InvalidEncoding, "not UTF-8"),
    (b"[1,2]", InvalidEncoding, "expected a JSON object"),
    (b"{" * 5000, InvalidEncoding, "nested"),
])
def test_load_policy_bad_files(tmp_path, content, exc, match):
    p = tmp_path / "policy.json"
    if content is not None:
        p.write_bytes(content)
    with pytest.raises(exc, match=match) as e:
        load_policy(p)
    assert "policy.json" in str(e.value)


def test_load_policy_refuses_directories_large_files_and_fifos(tmp_path):
    with pytest.raises(InvalidParameter, match="is a directory"):
        load_policy(tmp_path)
    big = tmp_path / "big.json"
    with open(big, "wb") as f:
        f.truncate(64 << 20)
    with pytest.raises(InvalidParameter, match="too large"):
        load_policy(big)
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    t = time.perf_counter()
    with pytest.raises(InvalidParameter, match="not a regular file"):      # and no wait for a writer
        load_policy(fifo)
    assert time.perf_counter() - t < 1
    with pytest.raises(InvalidParameter, match="not a regular file"):
        read_bytes("/dev/zero")


def test_read_text_and_bytes_messages_name_the_file(tmp_path):
    p = tmp_path / "secret.key"
    p.write_bytes(b"\x80SECRETSECRET")
    with pytest.raises(InvalidEncoding) as e:
        read_text(p, "key file")
    assert "secret.key" in str(e.value) and "SECRET" not in str(e.value)
    with pytest.raises(InvalidParameter, match="not a valid path"):
        read_bytes("a\x00b")


# ---------------------------------------------------------------- scenarios
def _scenario(tmp_path, text: str) -> Path:
    (tmp_path / "p.toml").write_text((EXAMPLE / "policy.toml").read_text())
    sc = tmp_path / "s.toml"
    sc.write_text('policy = "p.toml"\n' + text)
    return sc


@pytest.mark.parametrize("text,where", [
    ('[parties]\n"²" = "x"\n', r"\$\.parties\.²: not a party identifier"),
    ('[parties]\n9 = "nobody"\n', r"\$\.parties\.9: no party 9 in the policy"),
    ('[parties]\n1 = 5\n', r"\$\.parties\.1: the name must be a string"),
    ("threshold = 3.0\n", r"\$\.threshold: must be an integer"),
    ("threshold = 9\n", r"\$\.threshold: 9 exceeds"),
    ("suite = 5\n", r"\$\.suite: must be a string"),
    ('[[steps]]\nname = "x"\ntime = 1\namount = 4000.5\ndestination = "bob"\n', r"\$\.steps\[0\]\.amount"),
    ('[[steps]]\nname = "x"\ntime = 1\namount = 5\ndestination = "bob"\nsilent = [7]\n',
     r"\$\.steps\[0\]\.silent: no party 7"),
    ('[[steps]]\nname = "x"\ntime = 1\namount = 5\ndestination = "bob"\ncandidates = [1, 2, 99]\n',
     r"\$\.steps\[0\]\.candidates: no party 99"),
    ('[[steps]]\nkind = "policy_change"\npolicy = "p.toml"\napprovers = [0]\n',
     r"\$\.steps\[0\]\.approvers: no party 0"),
    ('[[steps]]\nname = "x"\ntime = 1\namount = 5\ndestination = "bob"\nprivate = "yes"\n',
     r"\$\.steps\[0\]\.private: must be true or false"),
    ('[[steps]]\nname = 5\n', r"\$\.steps\[0\]\.name: must be a string"),
    ('[[steps]]\ntime = -1\n', r"\$\.steps\[0\]\.time: must be an integer >= 0"),
])
def test_scenario_fields_are_checked_at_load(tmp_path, text, where):
    sc = _scenario(tmp_path, text)
    with pytest.raises(InvalidEncoding, match=where) as e:
        Scenario(sc)
    assert "s.toml" in str(e.value)


@pytest.mark.parametrize("content,match", [(b"\xff\xfe", "not UTF-8"), (b"[1, 2]", "expected a JSON object"),
                                           (b'{"policy": 1' + b"0" * 5000 + b"}", "out of range")])
def test_scenario_bad_documents(tmp_path, content, match):
    sc = tmp_path / "s.json"
    sc.write_bytes(content)
    with pytest.raises(InvalidEncoding, match=match):
        Scenario(sc)


# ---------------------------------------------------------------- requests
@pytest.mark.parametrize("field,value", [("amount", 4000.5), ("amount", 4000.0), ("amount", "4000"),
                                         ("amount", True), ("time", 1.5), ("policy_version", "1"),
                                         ("destination", 5), ("request_id", 5), ("tx_digest", "zz")])
def test_request_from_dict_is_strict(field, value):
    with pytest.raises(InvalidParameter, match=f"'{field}'"):
        AuthorizationRequest.from_dict({**REQUEST, field: value})


@pytest.mark.parametrize("private", [{"max_amount": 5.0}, {"max_amount": -1}, {"max_amount": 5, "proof": 7}, [1]])
def test_request_private_terms_are_strict(private):
    d = {k: v for k, v in REQUEST.items() if k not in ("amount", "destination")}
    with pytest.raises(InvalidParameter, match="private"):
        AuthorizationRequest.from_dict({**d, "private": private})


@pytest.mark.parametrize("value", [[1, 2], None, "x", 7])
def test_request_from_non_object(value):
    with pytest.raises(InvalidParameter, match="expected an object"):
        AuthorizationRequest.from_dict(value)


def test_request_document_with_non_finite_amount(tmp_path):
    with pytest.raises(InvalidEncoding, match="not finite"):
        parse_document(json.dumps(REQUEST).replace("60000", "1e400").encode(), "request")
    p = tmp_path / "r.json"
    p.write_text(json.dumps(REQUEST))
    assert AuthorizationRequest.from_dict(load_document(p, "request")).amount == 60_000


def test_exact_fields_names_the_expected_fields():
    from pqzk.policy.documents import exact_fields
    doc = {"a": 1, "b": 2}
    assert exact_fields(doc, {"a", "b"}, "thing") is doc
    for bad in ({"a": 1}, {"a": 1, "b": 2, "c": 3}, ["a", "b"], None):
        with pytest.raises(InvalidEncoding, match=r"thing: needs exactly the fields \['a', 'b'\]"):
            exact_fields(bad, {"a", "b"}, "thing")
