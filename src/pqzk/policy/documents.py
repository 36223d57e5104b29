"""Policy, scenario and request documents (JSON or TOML), parsed with bounds.

A document is a JSON object or a TOML table. Parsing refuses, as `InvalidEncoding` naming the
document and the field: bytes that are not UTF-8, nesting deeper than `MAX_DEPTH` (checked before
the JSON parser recurses), integers beyond ±`MAX_INT` (checked on the digits, before Python's
`int` conversion, so a 5,000-digit literal costs nothing), non-finite numbers (`NaN`, `1e400`),
duplicate keys (which value would count is parser-specific), and a document that is not an
object. Floats otherwise parse as floats, so that the schema and the loaders can refuse `3.0`
where an integer is required.
"""
from __future__ import annotations

import json
import math
import tomllib
from pathlib import Path
from typing import Any

from ..encoding import from_hex
from ..errors import InvalidEncoding
from ..files import decode_text, read_bytes

MAX_DEPTH = 32
MAX_INT = 2**128 - 1          # amounts in an asset's smallest unit (wei: 10^18 per ether) fit easily
MAX_DOCUMENT_BYTES = 1 << 20
_MAX_INT_DIGITS = len(str(MAX_INT))


def _path(parts: list) -> str:
    out = "$"
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


def _json_depth_ok(text: str, where: str) -> None:
    """Refuse JSON nested deeper than MAX_DEPTH before json.loads recurses into it."""
    depth, in_string, escaped = 0, False, False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise InvalidEncoding(f"{where}: nested deeper than {MAX_DEPTH} levels")
        elif ch in "]}":
            depth -= 1


def _int_literal(s: str, where: str) -> int:
    digits = s.lstrip("+-").replace("_", "")
    if len(digits) > _MAX_INT_DIGITS:
        raise InvalidEncoding(f"{where}: integer with {len(digits)} digits is out of range (at most ±{MAX_INT})")
    return int(s)


def _float_literal(s: str, where: str) -> float:
    value = float(s)
    if not math.isfinite(value):
        raise InvalidEncoding(f"{where}: number {s[:40]!r} is not finite")
    return value


def _no_duplicates(pairs: list[tuple[str, Any]], where: str) -> dict:
    out: dict = {}
    for k, v in pairs:
        if k in out:
            raise InvalidEncoding(f"{where}: duplicate key {k[:80]!r}")
        out[k] = v
    return out


def _check_tree(doc: Any, where: str) -> None:
    """Depth, integer range and finiteness over the parsed tree (TOML's parser has no hooks for
    integers; JSON's were checked while parsing, this re-check is cheap)."""
    stack: list[tuple[Any, list]] = [(doc, [])]
    while stack:
        node, parts = stack.pop()
        if len(parts) > MAX_DEPTH:
            raise InvalidEncoding(f"{where}: nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, dict):
            stack.extend((v, parts + [k]) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, parts + [i]) for i, v in enumerate(node))
        elif isinstance(node, bool):
            continue
        elif isinstance(node, int) and not -MAX_INT <= node <= MAX_INT:
            raise InvalidEncoding(f"{where} {_path(parts)}: integer out of range (at most ±{MAX_INT})")
        elif isinstance(node, float) and not math.isfinite(node):
            raise InvalidEncoding(f"{where} {_path(parts)}: number is not finite")


def parse_document(data: bytes | str, where: str, *, toml: bool = False) -> dict:
    """A JSON object (or TOML table) from `data`; `where` names the document in messages."""
    text = decode_text(data, where) if isinstance(data, (bytes, bytearray, memoryview)) else data
    if not isinstance(text, str):
        raise InvalidEncoding(f"{where}: expected bytes or text, got {type(data).__name__}")
    kind = "TOML" if toml else "JSON"
    try:
        if toml:
            doc = tomllib.loads(text, parse_float=lambda s: _float_literal(s, where))
        else:
            _json_depth_ok(text, where)
            doc = json.loads(text, parse_int=lambda s: _int_literal(s, where),
                             parse_float=lambda s: _float_literal(s, where),
                             parse_constant=lambda s: _float_literal(s, where),
                             object_pairs_hook=lambda pairs: _no_duplicates(pairs, where))
    except InvalidEncoding:
        raise
    except RecursionError:
        raise InvalidEncoding(f"{where}: nested too deeply") from None
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InvalidEncoding(f"{where} is not valid {kind}: {str(exc)[:200]}") from None
    except ValueError:            # tomllib's int() of a literal beyond Python's 4,300-digit limit
        raise InvalidEncoding(f"{where}: integer out of range (at most ±{MAX_INT})") from None
    if not isinstance(doc, dict):
        raise InvalidEncoding(f"{where}: expected a {kind} object, got {_kind_name(doc)}")
    _check_tree(doc, where)
    return doc


def exact_fields(doc: Any, keys: set[str], where: str) -> dict:
    """`doc` when it is an object with exactly the fields `keys`, else InvalidEncoding naming them."""
    if not isinstance(doc, dict) or set(doc) != keys:
        raise InvalidEncoding(f"{where}: needs exactly the fields {sorted(keys)}")
    return doc


def _kind_name(v: Any) -> str:
    return {list: "an array", str: "a string", bool: "a boolean", int: "a number", float: "a number",
            type(None): "null"}.get(type(v), type(v).__name__)


def hex_field(doc: dict, key: str, where: str, default: str | None = None,
              error: type[Exception] = InvalidEncoding) -> bytes:
    """A document's hex-string field as bytes; `error` naming `where` and the field otherwise."""
    value = doc.get(key, default)
    if not isinstance(value, str):
        raise error(f"{where}: field {key!r} missing or not a hex string")
    try:
        return from_hex(value, f"{where}: field {key!r}")
    except InvalidEncoding as exc:
        if error is InvalidEncoding:
            raise
        raise error(str(exc)) from None


def load_document(path: str | Path, what: str) -> dict:
    """Read and parse a document file: TOML if it ends in .toml, JSON otherwise."""
    p = Path(path)
    data = read_bytes(p, what, max_bytes=MAX_DOCUMENT_BYTES)
    return parse_document(data, f"{what} {p}", toml=p.suffix.lower() == ".toml")


__all__ = ["MAX_DEPTH", "MAX_INT", "MAX_DOCUMENT_BYTES", "parse_document", "exact_fields", "load_document",
           "hex_field"]
