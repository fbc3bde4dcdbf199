"""The rules S1–S6 and S12 as pure functions over integer microseconds."""
