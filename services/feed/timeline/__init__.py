"""The home timeline."""
