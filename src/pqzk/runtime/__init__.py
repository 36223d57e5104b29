"""Drives protocol state machines: sans-I/O parties, their signed messages, and an in-process
simulator with fault injection.

Parties (`FrostSigner`, `FrostCoordinator`, `DkgParticipant`, `RefreshParticipant`,
`ReshareParticipant`, `RepairParticipant`, `BlsSigner`, `BlsCombiner`, for threshold ECDSA
`EcdsaKeygenParticipant`, `EcdsaRefreshParticipant`, `EcdsaReshareParticipant`, `EcdsaSigner`, and for
threshold ML-DSA `TMLDSASigner`, `TMLDSACoordinator`) take a `Message` and return
the messages they send, each signed with the party's `Keyring` (`wire` is the canonical
encoding). `Simulator` delivers them, injecting faults (`Drop`, `Delay`, `Duplicate`, `Corrupt`,
`Silent`); `adversary` holds parties that misbehave on purpose and `Deviant`, which misbehaves
by plan. Code that sets sessions up is given a `SessionRunner` (`runner`): `SimulatorRunner`
in process, or a network runner over `driver.Driver` and a transport.
"""
from .bls_parties import COMBINER, BlsCombiner, BlsSigner
from .ceremony import Ceremony
from .dkg_parties import DkgParticipant, RefreshParticipant, ReshareParticipant
from .ecdsa_parties import EcdsaKeygenParticipant, EcdsaRefreshParticipant, EcdsaReshareParticipant, EcdsaSigner
from .frost_parties import COORDINATOR, FrostCoordinator, FrostSigner
from .identity import Directory, Keyring, generate_keyrings
from .messages import Kind, Message, Party, PartyId
from .repair_parties import RepairParticipant
from .sessions import (ceremony_outcome, dkg_outcome, dkg_with_honest_quorum, ecdsa_shares, ecdsa_signing_outcome,
                       run_bls_signing, run_ceremony, run_dkg, run_ecdsa_keygen, run_ecdsa_refresh, run_ecdsa_reshare,
                       run_ecdsa_signing, run_refresh, run_repair, run_reshare, run_signing, run_tmldsa_signing,
                       sign_with_honest_quorum, traffic)
from .runner import SessionReport, SessionRunner, SimulatorRunner
from .simulator import Corrupt, Delay, Drop, Duplicate, Event, Fault, Silent, Simulator
from .tmldsa_parties import TMLDSACoordinator, TMLDSASigner

__all__ = [
    "COMBINER", "BlsCombiner", "BlsSigner", "RepairParticipant", "run_bls_signing", "run_repair",
    "Ceremony", "DkgParticipant", "RefreshParticipant", "ReshareParticipant", "COORDINATOR", "FrostCoordinator",
    "FrostSigner", "Directory", "Keyring", "generate_keyrings", "Kind", "Message", "Party", "PartyId",
    "ceremony_outcome", "dkg_outcome", "dkg_with_honest_quorum", "run_ceremony", "run_dkg", "run_refresh",
    "run_reshare", "run_signing", "sign_with_honest_quorum", "run_tmldsa_signing", "traffic",
    "EcdsaKeygenParticipant", "EcdsaRefreshParticipant", "EcdsaReshareParticipant", "EcdsaSigner", "ecdsa_shares",
    "ecdsa_signing_outcome", "run_ecdsa_keygen", "run_ecdsa_refresh", "run_ecdsa_reshare", "run_ecdsa_signing",
    "TMLDSACoordinator", "TMLDSASigner",
    "Corrupt", "Delay", "Drop", "Duplicate", "Event", "Fault", "Silent", "Simulator",
    "SessionReport", "SessionRunner", "SimulatorRunner",
]
