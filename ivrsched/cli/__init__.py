"""The ``ivrsched`` command: argparse and exit codes only, one module per subcommand (registered
in :mod:`ivrsched.cli.main`, whose ``entry`` is the console script). The library never imports
it, and it has no public names of its own: its interface is the command line."""

from __future__ import annotations

__all__: list[str] = []
