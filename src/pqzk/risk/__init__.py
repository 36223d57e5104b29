"""Quantitative custody risk: P(theft) and P(permanent loss) of a committee — exact where the
structure allows (Poisson-binomial programmes, failure domains as a mixture), cross-checked by
Monte Carlo — which parties and domains dominate it, the theft-vs-loss frontier over (t, n) and
domain assignments, and the quantum term beside each scheme's cost (docs/risk.md).

For a responder: `Bounds(max_theft, max_loss).check(committee.quarantined([...]))` says whether a
proposed response keeps the committee within the policy's risk bounds.
"""
from .committee_file import CommitteeDocument, committee_from_dict, load_committee, parse_committee
from .exact import ExactResult, analyze, curves
from .frontier import Frontier, FrontierPoint, FrontierSettings, frontier
from .model import Committee, Domain, Party, Recovery, scale
from .montecarlo import Estimate, MonteCarloResult, simulate, wilson
from .quantum import (Exponential, Lognormal, Never, Piecewise, QuantumModel, SchemeRisk, cost_table, exposure,
                      scheme_risk)
from .report import Bounds, BoundsCheck, Report, assess, full_report
from .sensitivity import Influence, sensitivity

__all__ = ["Committee", "Party", "Domain", "Recovery", "scale", "CommitteeDocument", "committee_from_dict",
           "load_committee", "parse_committee", "ExactResult", "analyze", "curves", "simulate", "wilson",
           "Estimate", "MonteCarloResult", "Influence", "sensitivity", "Frontier", "FrontierPoint",
           "FrontierSettings", "frontier", "QuantumModel", "Lognormal", "Exponential", "Piecewise", "Never",
           "SchemeRisk", "exposure", "scheme_risk", "cost_table", "assess", "Bounds", "BoundsCheck", "Report",
           "full_report"]
