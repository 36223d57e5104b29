"""Transports move frames between drivers: `inprocess` (an asyncio hub), `nats` (a NATS broker
with JetStream), `files` (inbox and outbox files for air-gapped signers)."""
