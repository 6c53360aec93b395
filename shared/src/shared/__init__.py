"""Mechanism shared by the users and feed services. No models and no domain rules live here."""
