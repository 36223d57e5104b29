"""Custody policy: the model (data + JSON Schema), pure evaluation, time-locked changes, audit log."""
from .evaluate import Decision, check_signers, evaluate, explain, required_quorum
from .model import Policy, Quorum, load_policy
from .request import AuthorizationRequest, History, HistoryEntry, PrivateTerms
from .state import PolicyState

__all__ = ["Decision", "check_signers", "evaluate", "explain", "required_quorum", "Policy", "Quorum",
           "load_policy", "AuthorizationRequest", "History", "HistoryEntry", "PrivateTerms", "PolicyState"]
