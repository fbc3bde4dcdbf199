"""The README's table of optional extras against pyproject.toml, and the help texts a user reads."""

from __future__ import annotations

import argparse
import re
import tomllib
from pathlib import Path

from ivrsched.cli.main import build_parser

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
EXTRAS = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
             ["project"]["optional-dependencies"])


def readme_extras() -> set[str]:
    """The first column of the table after 'Optional extras' in the README."""
    section = README[README.index("Optional extras"):]
    table = section[section.index("| extra |"):].split("\n\n", 1)[0]
    return {match for match in re.findall(r"^\| `([a-z]+)` \|", table, re.MULTILINE)}


def test_the_readme_names_real_extras_and_the_main_ones() -> None:
    named = readme_extras()
    assert named <= EXTRAS, f"the README names extras pyproject.toml lacks: {named - EXTRAS}"
    assert {"fast", "arrow", "plot", "policy", "docs", "bench", "test"} <= named


def test_every_extra_the_code_and_docs_ask_for_exists() -> None:
    asked: set[str] = set()
    for path in [*ROOT.glob("ivrsched/**/*.py"), *ROOT.glob("docs/*.md"), ROOT / "README.md"]:
        for group in re.findall(r"ivrsched\[([a-z,]+)\]", path.read_text(encoding="utf-8")):
            asked.update(group.split(","))
    assert asked, "no install hint found at all"
    assert asked <= EXTRAS, f"install hints name missing extras: {asked - EXTRAS}"
    assert asked - {"test"} <= readme_extras()


def test_no_help_text_points_to_files_an_installed_user_does_not_have() -> None:
    parser = build_parser()
    subparsers = next(action for action in parser._actions
                      if isinstance(action, argparse._SubParsersAction))
    commands = dict(subparsers.choices)
    assert {"plan", "simulate", "verify", "pause", "reschedule"} <= set(commands)
    every = "\n".join([parser.format_help(), *(sub.format_help() for sub in commands.values())])
    for stale in ("SPEC", "docs/spec.md", "the seed", "issue"):
        assert stale not in every, stale
