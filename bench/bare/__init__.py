"""The benchmark's bare-framework reference: one DRF view, no project middleware."""
