"""Idempotency keys for writes that create money movements or decisions."""
