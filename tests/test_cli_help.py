"""``ivrsched --help`` is built from the summary table alone, and says what the full parser says."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from ivrsched.cli.main import COMMANDS, SUMMARIES, build_parser, main

ROOT = Path(__file__).resolve().parent.parent


def _subparsers(parser: argparse.ArgumentParser) -> argparse._SubParsersAction[
        argparse.ArgumentParser]:
    return next(action for action in parser._actions
                if isinstance(action, argparse._SubParsersAction))


def test_the_summary_table_is_what_the_command_modules_register() -> None:
    full = _subparsers(build_parser())
    registered = {choice.dest: choice.help for choice in full._choices_actions}
    assert registered == {name: summary for name, (_, summary) in SUMMARIES.items()}
    # The same order too, since ``--help`` lists them in it.
    assert list(registered) == list(SUMMARIES)
    assert {module for module, _ in SUMMARIES.values()} == set(COMMANDS)


def test_the_lazy_help_is_the_full_help() -> None:
    assert build_parser("").format_help() == build_parser().format_help()


@pytest.mark.parametrize("name", ["plan", "verify", "pause", "reschedule", "serve"])
def test_the_command_asked_for_gets_its_full_parser(name: str) -> None:
    full = _subparsers(build_parser()).choices[name].format_help()
    assert _subparsers(build_parser(name)).choices[name].format_help() == full


def test_an_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["nonsense"])
    assert exc.value.code == 2
    assert "invalid choice: 'nonsense'" in capsys.readouterr().err


def _modules_after_help(*argv: str) -> set[str]:
    script = ("import sys\nfrom ivrsched.cli.main import main\n"
              f"try:\n    main({list(argv)!r})\nexcept SystemExit:\n    pass\n"
              "print('\\n'.join(sorted(sys.modules)), file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True, cwd=ROOT, timeout=120)
    assert "usage: ivrsched" in result.stdout
    return set(result.stderr.split())


def test_help_imports_no_engine_module() -> None:
    loaded = _modules_after_help("--help")
    engine = sorted(m for m in loaded if m.startswith("ivrsched.")
                    and m not in {"ivrsched.cli", "ivrsched.cli.main", "ivrsched.cli.exits",
                                  "ivrsched.cli.output", "ivrsched._lazy"})
    assert engine == []
    for heavy in ("numpy", "asyncio", "sqlite3", "dateutil"):
        assert heavy not in loaded, heavy


def test_a_command_help_imports_only_that_command() -> None:
    loaded = _modules_after_help("plan", "--help")
    assert "ivrsched.cli.plan_cmd" in loaded
    assert "ivrsched.cli.verify_cmd" not in loaded
    assert "ivrsched.cli.serve_cmd" not in loaded
