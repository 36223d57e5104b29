"""Bridge from the groups to RFC 9380 hash-to-curve (`pqzk.hashing.h2c`), imported on first use."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import InvalidParameter


def hash_to_curve_element(group: Any, suite: str, msg: bytes, dst: bytes,
                          from_xy: Callable[[int, int], Any] | None = None) -> Any:
    """RFC 9380 hash_to_curve(msg) under `suite` as an element of `group`; the affine result is
    turned into an element by `from_xy` (default: the group's validating `point_from_xy`)."""
    try:
        from ..hashing.h2c import hash_to_curve
    except ImportError:  # pragma: no cover - the hashing package ships with the kit
        raise InvalidParameter(f"{group.name}: hash-to-curve suite {suite} is not available") from None
    point = hash_to_curve(suite, msg, dst)
    if point is None:  # the point at infinity (negligible probability)
        return group.identity()
    return (from_xy or group.point_from_xy)(int(point[0]), int(point[1]))
