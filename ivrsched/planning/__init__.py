"""Plans of a request (S2–S5, S8): lazy, streamed and columnar."""
