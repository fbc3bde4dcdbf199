"""Readers and writers at the edge: destination files, logs, plan formats."""
