"""``python -m ivrsched`` runs the command line."""

from ivrsched.cli.main import entry

entry()
