"""Transactional outbox: account events recorded with the change, delivered to the feed."""
