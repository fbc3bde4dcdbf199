"""Conformance (S11): the verifier, conformance vectors and Hypothesis strategies."""
