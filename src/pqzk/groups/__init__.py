"""Prime-order groups behind one `Group` protocol; `get_group(name)` returns the singleton.

Modules are imported on first use so that a group's dependencies load only when it is asked for.
"""
from __future__ import annotations

import importlib

from ..errors import InvalidParameter
from .base import Element, Group

# name -> (module, attribute)
_REGISTRY: dict[str, tuple[str, str]] = {
    "secp256k1": ("secp256k1", "SECP256K1"),
    "ed25519": ("ed25519", "ED25519"),
    "ristretto255": ("ristretto255", "RISTRETTO255"),
    "p256": ("p256", "P256"),
    "ed448": ("ed448", "ED448"),
    "bls12_381_g1": ("bls12_381", "G1"),
    "bls12_381_g2": ("bls12_381", "G2"),
}


def group_names() -> list[str]:
    """The names `get_group` accepts, in registration order."""
    return list(_REGISTRY)


_LOADED: dict[str, Group] = {}


def get_group(name: str) -> Group:
    """The group called `name` (see `group_names()`)."""
    try:
        return _LOADED[name]
    except (KeyError, TypeError):
        pass
    try:
        module, attr = _REGISTRY[name]
    except (KeyError, TypeError):
        raise InvalidParameter(f"unknown group {name!r}; known: {', '.join(_REGISTRY)}") from None
    group = _LOADED[name] = getattr(importlib.import_module(f"{__name__}.{module}"), attr)
    return group


__all__ = ["Element", "Group", "get_group", "group_names"]
