"""`pqzk compare --plot` stays readable with every scheme: one row per scheme grouped by family,
no tick label or value label overlapping another, every label inside the figure."""
from __future__ import annotations

import itertools

import pytest

pytest.importorskip("matplotlib")

from pqzk.cli.compare_plot import FAMILIES, figure, rows  # noqa: E402
from pqzk.pq.comparison import SchemeResult  # noqa: E402
from pqzk.pq.composite import ALGORITHMS  # noqa: E402


def _results() -> list[SchemeResult]:
    """As many rows as `compare --all-composites` makes, with values spread over decades."""
    names = [("Ed25519", "classical"), ("ECDSA-P256", "classical"), ("BLS (min-pk)", "classical"),
             ("FROST 3-of-5", "threshold"), ("threshold BLS 3-of-5", "threshold"),
             ("threshold ML-DSA-44 3-of-5", "threshold"), ("threshold ML-DSA-65 3-of-5", "threshold"),
             ("ML-DSA-44", "post-quantum"), ("ML-DSA-65", "post-quantum"), ("ML-DSA-87", "post-quantum"),
             *[(a, "composite") for a in ALGORITHMS],
             ("hybrid quorum cert 3-of-5", "hybrid"), ("hybrid composite 3-of-5", "hybrid"),
             ("hybrid threshold ML-DSA 3-of-5", "hybrid")]
    out = []
    for i, (name, fam) in enumerate(names):
        if name == "ML-DSA-87":
            out.append(SchemeResult(name, fam, False, "backend missing"))
            continue
        size = 64 * (1 + (i * 37) % 160)
        out.append(SchemeResult(name, fam, True, "", 32, size, size, 1.0, 0.01 * 3 ** (i % 11),
                                0.02 * 2 ** (i % 9), 1, size))
    return out


def _boxes(texts, renderer):
    return [t.get_window_extent(renderer) for t in texts if t.get_text()]


def _overlapping(boxes):
    return [(a, b) for a, b in itertools.combinations(boxes, 2) if a.overlaps(b)]


def test_rows_group_schemes_by_family_in_order():
    res = _results()
    table = rows(res)
    assert len(res) >= 29 and len(table) == len(res) + len(FAMILIES)
    heads = [name for name, _, r in table if r is None]
    assert heads == list(FAMILIES)
    assert [r.scheme for _, _, r in table if r is not None] == [r.scheme for r in sorted(
        res, key=lambda r: FAMILIES.index(r.family))]


def test_every_label_readable_with_all_schemes():
    import matplotlib.pyplot as plt
    res = _results()
    fig = figure(res, title="t")
    try:
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        page = fig.bbox
        ax0 = fig.axes[0]
        ticks = [t for t in ax0.get_yticklabels() if t.get_text()]
        assert {t.get_text() for t in ticks} == {r.scheme for r in res} | set(FAMILIES)
        tick_boxes = _boxes(ticks, renderer)
        assert not _overlapping(tick_boxes)
        for ax in fig.axes:
            values = _boxes(ax.texts, renderer)
            assert len(values) == len(res)           # a value (or "unavailable") on every row
            assert not _overlapping(values)
            for box in values + tick_boxes:
                assert page.contains(box.x0, box.y0) and page.contains(box.x1, box.y1)
        for a, b in itertools.pairwise(fig.axes):   # panels do not run into each other
            assert a.get_tightbbox(renderer).x1 <= b.get_window_extent(renderer).x0
        assert sum("unavailable" in t.get_text() for t in fig.axes[0].texts) == 1
    finally:
        plt.close(fig)
