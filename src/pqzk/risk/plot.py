"""The theft-vs-loss frontier as an image (matplotlib, Agg backend): every candidate committee, the
frontier joined and labelled t-of-n, the current configuration marked. Returns the image's bytes;
the caller writes them (the CLI: atomically, never over a file without --force)."""
from __future__ import annotations

import io

from ..errors import BackendUnavailable
from .frontier import Frontier

FLOOR = 1e-18          # zero probabilities are drawn here on the log axes (and said so)
FORMATS = ("png", "svg", "pdf")


def require_matplotlib() -> None:
    """Raise `BackendUnavailable` with how to install matplotlib when it is missing (plots need it;
    analysis does not)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise BackendUnavailable("matplotlib", "not installed (needed to plot)",
                                 "pip install matplotlib (it is in pqzk's [dev] extra)") from None


def frontier_image(front: Frontier, *, title: str = "", fmt: str = "png") -> bytes:
    """The frontier plot in `fmt` (png, svg or pdf)."""
    require_matplotlib()
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    clip = lambda v: max(v, FLOOR)                      # noqa: E731
    fig, ax = plt.subplots(figsize=(9, 6.5))
    styles = {"declared": ("o", "tab:blue"), "balanced": ("s", "tab:green"), "concentrated": ("^", "tab:orange")}
    clipped = False
    for how in dict.fromkeys(p.assignment for p in front.points):
        pts = [p for p in front.points if p.assignment == how]
        clipped |= any(p.theft < FLOOR or p.loss < FLOOR for p in pts)
        marker, colour = styles.get(how, ("x", "grey"))
        ax.scatter([clip(p.theft) for p in pts], [clip(p.loss) for p in pts], marker=marker, s=22,
                   color=colour, alpha=0.35, label=f"candidates, {how} domains")
    pareto = front.pareto
    ax.plot([clip(p.theft) for p in pareto], [clip(p.loss) for p in pareto], "-", color="black", lw=1.2,
            label="frontier (no candidate is better in both)")
    for k, p in enumerate(pareto):          # alternate sides so that neighbours do not overprint; a leader
        ax.annotate(p.label, (clip(p.theft), clip(p.loss)), textcoords="offset points",   # line to its point
                    xytext=(10, 8) if k % 2 == 0 else (-10, -14), ha="left" if k % 2 == 0 else "right",
                    va="bottom" if k % 2 == 0 else "top", fontsize=7,
                    arrowprops=dict(arrowstyle="-", color="grey", lw=0.6, shrinkA=0, shrinkB=3))
    cur = front.current
    ax.scatter([clip(cur.theft)], [clip(cur.loss)], marker="*", s=260, color="red", edgecolor="black", zorder=5,
               label=f"current: {cur.label}" + ("" if cur.pareto else " (dominated)"))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.margins(0.08)                        # room for the outermost labels inside the axes
    ax.set_xlabel("P(theft) over the horizon (log scale)")
    ax.set_ylabel("P(permanent loss) over the horizon (log scale)")
    ax.set_title(title or "Theft vs loss: thresholds, committee sizes and domain assignments")
    ax.grid(True, which="both", alpha=0.3)
    if clipped:
        ax.text(0.01, 0.01, f"probabilities below {FLOOR:g} drawn at {FLOOR:g}", transform=ax.transAxes,
                fontsize=7, color="grey")
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=120)
    plt.close(fig)
    return buf.getvalue()


__all__ = ["frontier_image", "require_matplotlib", "FLOOR"]
