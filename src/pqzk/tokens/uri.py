"""Store URIs, from the CLI and the API:

    file:/path/to/dir                                   sealed-file store (passphrase)
    pkcs11:token=LABEL[;serial=S][?module-path=/usr/lib/softhsm/libsofthsm2.so]   (RFC 7512 subset)
    tpm:/path/to/dir[?tcti=swtpm:host=127.0.0.1,port=2321][&pcrs=sha256:0,7]

PINs and passphrases never go in the URI (RFC 7512's `pin-value` is refused).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote

from ..errors import InvalidParameter

SCHEMES = ("file", "pkcs11", "tpm")
_PKCS11_PATH = {"token", "serial", "slot-id", "manufacturer", "model", "library-description"}
_PKCS11_QUERY = {"module-path", "module-name", "pin-source"}
_TPM_QUERY = {"tcti", "pcrs"}


@dataclass(frozen=True)
class StoreURI:
    scheme: str
    path: str = ""                                      # file/tpm directory
    attrs: dict[str, str] = field(default_factory=dict)  # pkcs11 path attributes / tpm query
    query: dict[str, str] = field(default_factory=dict)
    text: str = ""


def _pairs(text: str, sep: str, allowed: set[str], what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in filter(None, text.split(sep)):
        if "=" not in part:
            raise InvalidParameter(f"{what}: expected name=value, got {part!r}")
        k, v = part.split("=", 1)
        k = unquote(k)
        if k == "pin-value":
            raise InvalidParameter("PINs never go in a URI: give it by prompt, file or environment variable")
        if k not in allowed:
            raise InvalidParameter(f"{what}: unknown attribute {k!r} (known: {', '.join(sorted(allowed))})")
        if k in out:
            raise InvalidParameter(f"{what}: attribute {k!r} given twice")
        out[k] = unquote(v)
    return out


def parse_uri(text: str) -> StoreURI:
    """A store URI (`pkcs11:`, `tpm:` or `file:`) parsed and checked; `InvalidParameter` naming what is
    wrong."""
    if not isinstance(text, str) or ":" not in text:
        raise InvalidParameter(f"store URI must start with one of {', '.join(s + ':' for s in SCHEMES)}")
    scheme, rest = text.split(":", 1)
    scheme = scheme.lower()
    if scheme not in SCHEMES:
        raise InvalidParameter(f"unknown store scheme {scheme!r} (use {', '.join(s + ':' for s in SCHEMES)})")
    body, _, q = rest.partition("?")
    if scheme == "pkcs11":
        attrs = _pairs(body, ";", _PKCS11_PATH, "pkcs11 URI")
        query = _pairs(q, "&", _PKCS11_QUERY, "pkcs11 URI query")
        if "token" not in attrs and "serial" not in attrs:
            raise InvalidParameter("pkcs11 URI must name the token: pkcs11:token=LABEL")
        return StoreURI(scheme, "", attrs, query, text)
    if body.startswith("//"):
        body = body[2:]
        if not body.startswith("/"):
            raise InvalidParameter(f"{scheme} URI: only local paths (file:///abs/path or file:/abs/path)")
    path = unquote(body)
    if not path:
        raise InvalidParameter(f"{scheme} URI needs a directory: {scheme}:/path/to/store")
    if scheme == "file":
        if q:
            raise InvalidParameter("file URI takes no query")
        return StoreURI(scheme, path, {}, {}, text)
    return StoreURI(scheme, path, {}, _pairs(q, "&", _TPM_QUERY, "tpm URI query"), text)


def open_store(uri: str, secret: str | bytes | None = None, *, create: bool = False,
               upgrade: bool = False, **options):
    """Open (or, with create=True, initialise) the store a URI names. `secret` is the PIN (pkcs11),
    the passphrase (file) or the sealed object's auth value (tpm, optional); file: and tpm: stores
    check it on open against their verifier record. `upgrade=True` adds that record to a file:/tpm:
    store made before verifiers existed (every record must open with `secret` first)."""
    u = parse_uri(uri)
    if u.scheme == "file":
        from .sealed_file import FileShareStore
        if not secret:
            raise InvalidParameter("a file: store needs a passphrase")
        return FileShareStore(u.path, secret, create=create, upgrade=upgrade, uri=uri, **options)
    if u.scheme == "pkcs11":
        from .pkcs11 import PKCS11ShareStore
        if upgrade:
            raise InvalidParameter("upgrade applies to file: and tpm: stores (a PKCS#11 token checks its PIN itself)")
        if not secret:
            raise InvalidParameter("a pkcs11: store needs the user PIN")
        if isinstance(secret, bytes):
            secret = secret.decode()
        store = PKCS11ShareStore(pin=secret, token_label=u.attrs.get("token"), serial=u.attrs.get("serial"),
                                 module_path=u.query.get("module-path"), uri=uri, **options)
        if create:
            store.init()
        return store
    from .tpm import TpmShareStore
    return TpmShareStore(u.path, auth=secret, tcti=u.query.get("tcti"), pcrs=u.query.get("pcrs"),
                         create=create, upgrade=upgrade, uri=uri, **options)
