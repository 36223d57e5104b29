"""Nodes: one process per party, holding its shares and identity in a share store, deciding for
itself, talking to the others over a message engine (`pqzk.runtime` drivers and transports).

`identity` (a node's keys), `committee` (the signed committee file), `service` (the sans-I/O
router that serves sessions), `run` (the process around it)."""
