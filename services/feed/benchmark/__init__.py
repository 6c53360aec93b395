"""Benchmark support: the seeded data set and the framework-floor reference view."""
