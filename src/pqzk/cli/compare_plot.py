"""`pqzk compare --plot`: one row per scheme, grouped by family, in three aligned panels
(authorization size, sign time, verify time; log scales) with the value written beside each point.

A scatter of 29 or more schemes cannot be labelled legibly; rows can, however many there are: the
figure grows with the number of schemes, and each name is a tick label that cannot overlap another.
"""
from __future__ import annotations

import io
import math
from collections.abc import Sequence

FAMILIES = ("classical", "threshold", "post-quantum", "composite", "hybrid")
COLOURS = {"classical": "#1f77b4", "threshold": "#2ca02c", "post-quantum": "#d62728", "composite": "#9467bd",
           "hybrid": "#ff7f0e"}
PANELS = (("authorization_bytes", "authorization size (bytes)", "{:,.0f}"),
          ("sign_ms", "sign time, median (ms)", None),
          ("verify_ms", "verify time, median (ms)", None))
ROW_INCHES = 0.27


def _ms(v: float) -> str:
    return f"{v:.3g}" if v < 100 else f"{v:,.0f}"


def rows(results: Sequence) -> list[tuple[str, str, object | None]]:
    """(label, family, result or None for a family's heading), families in FAMILIES order."""
    families = list(FAMILIES) + sorted({r.family for r in results} - set(FAMILIES))
    out: list[tuple[str, str, object | None]] = []
    for fam in families:
        members = [r for r in results if r.family == fam]
        if members:
            out.append((fam, fam, None))
            out.extend((r.scheme, fam, r) for r in members)
    return out


def render(results: Sequence, fmt: str, *, title: str = "Authorization cost per scheme") -> bytes:
    """The figure as bytes in `fmt` (png, svg or pdf)."""
    import matplotlib.pyplot as plt
    fig = figure(results, title=title)
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=110)
    plt.close(fig)
    return buf.getvalue()


def figure(results: Sequence, *, title: str = "Authorization cost per scheme"):
    """The matplotlib Figure (Agg backend): the caller closes it."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    table = rows(results)
    n = len(table)
    fig, axes = plt.subplots(1, len(PANELS), sharey=True, figsize=(14, 1.6 + ROW_INCHES * n))
    ys = list(range(n))[::-1]                       # first row at the top
    for ax, (key, label, form) in zip(axes, PANELS):
        values = [getattr(r, key) for _, _, r in table if r is not None and r.available and getattr(r, key)]
        lo, hi = (min(values), max(values)) if values else (1.0, 10.0)
        left, right = 10 ** math.floor(math.log10(lo) - 0.05), 10 ** (math.log10(hi) + 0.9)
        for y, (name, fam, r) in zip(ys, table):
            if r is None:
                ax.axhspan(y - 0.5, y + 0.5, color=COLOURS.get(fam, "#7f7f7f"), alpha=0.12, lw=0)
                continue
            v = getattr(r, key) if r.available else None
            if not v:
                text = "unavailable" if not r.available else "–"
                ax.text(left * 1.1, y, text, va="center", fontsize=8, color="#7f7f7f", style="italic")
                continue
            colour = COLOURS.get(fam, "#7f7f7f")
            ax.hlines(y, left, v, color=colour, alpha=0.35, lw=1.5)
            ax.plot([v], [y], "o", color=colour, ms=5)
            ax.annotate(form.format(v) if form else _ms(v), (v, y), xytext=(6, 0), textcoords="offset points",
                        va="center", fontsize=7.5)
        ax.set_xscale("log")
        ax.set_xlim(left, right)
        ax.set_xlabel(label + ", log scale")
        ax.xaxis.set_label_position("top")
        ax.xaxis.tick_top()
        ax.grid(True, axis="x", which="major", alpha=0.3)
        ax.tick_params(axis="y", length=0)
    ax0 = axes[0]
    ax0.set_ylim(-0.7, n - 0.3)
    ax0.set_yticks(ys)
    ax0.set_yticklabels([name for name, _, _ in table], fontsize=8)
    for tick, (_, fam, r) in zip(ax0.get_yticklabels(), table):
        tick.set_color(COLOURS.get(fam, "#7f7f7f") if r is None else "black")
        if r is None:
            tick.set_fontweight("bold")
            tick.set_fontsize(9)
    height = 1.6 + ROW_INCHES * n
    fig.suptitle(title, fontsize=12, y=1 - 0.15 / height)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.3 / height))
    return fig
