"""Drives protocol state machines: sans-I/O parties and an in-process simulator with faults.

Parties (`FrostSigner`, `FrostCoordinator`, `DkgParticipant`) take a `Message` and return the
messages they send; `Simulator` delivers them, injecting faults (`Drop`, `Delay`, `Duplicate`,
`Corrupt`, `Silent`), and `adversary` holds parties that misbehave on purpose.
"""
from .dkg_parties import DkgParticipant
from .frost_parties import COORDINATOR, FrostCoordinator, FrostSigner
from .messages import Message, Party, PartyId
from .sessions import dkg_outcome, dkg_with_honest_quorum, run_dkg, run_signing, sign_with_honest_quorum
from .simulator import Corrupt, Delay, Drop, Duplicate, Event, Fault, Silent, Simulator

__all__ = [
    "DkgParticipant", "COORDINATOR", "FrostCoordinator", "FrostSigner", "Message", "Party", "PartyId",
    "dkg_outcome", "dkg_with_honest_quorum", "run_dkg", "run_signing", "sign_with_honest_quorum",
    "Corrupt", "Delay", "Drop", "Duplicate", "Event", "Fault", "Silent", "Simulator",
]
