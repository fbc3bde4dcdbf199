"""Requests as given (S7): the model, field readers, parsing and statuses (S9)."""
