"""``python -m ivrsched`` runs the command line."""

from .cli.main import entry

entry()
