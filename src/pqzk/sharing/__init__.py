"""Secret sharing: Shamir over scalar fields (`shamir`) and bytes (`bytes_shamir`), SLIP-39
mnemonics (`slip39`), Feldman and Pedersen VSS (`vss`), proactive refresh (`refresh`),
resharing (`reshare`), share repair (`repair`) and robust reconstruction (`robust`).

Import the submodule you need (`from pqzk.sharing.shamir import split`); nothing is loaded eagerly.
"""
