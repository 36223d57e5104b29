"""Bridge from the groups to RFC 9380 hash-to-curve (`pqzk.hashing.h2c`), imported on first use."""
from __future__ import annotations

from typing import Any

from ..errors import InvalidParameter


def hash_to_curve_xy(group: Any, suite: str, msg: bytes, dst: bytes) -> tuple[int, int]:
    """Affine (x, y) of RFC 9380 hash_to_curve(msg) under `suite`; InvalidParameter when the
    hashing package does not provide it."""
    try:
        from ..hashing.h2c import hash_to_curve
    except ImportError:
        raise InvalidParameter(f"{group.name}: hash-to-curve suite {suite} is not available") from None
    point = hash_to_curve(suite, msg, dst)
    x, y = point[0], point[1]
    return int(x), int(y)
