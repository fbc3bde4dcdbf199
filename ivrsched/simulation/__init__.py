"""Outcomes, simulated runs and delivery reports (S10)."""
