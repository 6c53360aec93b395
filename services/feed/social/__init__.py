"""Follows and per-user counters."""
