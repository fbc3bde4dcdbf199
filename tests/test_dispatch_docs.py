"""The console session of docs/dispatch.md ("A first run") runs and prints what the page shows.

The commands run in order in one shell, in a copy of the examples, with ``ivrsched`` and
``python`` standing for this interpreter and this checkout; ``...`` in the page matches what
differs from run to run (instants).
"""

from __future__ import annotations

import doctest
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def session() -> tuple[list[str], str]:
    """The commands of the page's first console block after "## A first run", and the output
    it shows."""
    text = (ROOT / "docs" / "dispatch.md").read_text(encoding="utf-8")
    block = text.split("## A first run", 1)[1].split("```console\n", 1)[1].split("```", 1)[0]
    commands = [line[2:] for line in block.splitlines() if line.startswith("$ ")]
    shown = "".join(line + "\n" for line in block.splitlines() if not line.startswith("$ "))
    return commands, shown


def test_the_first_run_of_the_dispatch_page(tmp_path: Path) -> None:
    commands, shown = session()
    assert any(c.startswith("ivrsched run ") for c in commands)
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    script = "\n".join([
        'ivrsched() { "$PY" -m ivrsched "$@"; }',
        'python() { "$PY" "$@"; }',
        *(f"{{ {command}; }} 2>&1" for command in commands),
    ]) + "\n"
    env = {**os.environ, "PY": sys.executable,
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=120, check=False)
    checker = doctest.OutputChecker()
    assert checker.check_output(shown, result.stdout, doctest.ELLIPSIS), (
        f"shown:\n{shown}\ngot:\n{result.stdout}{result.stderr}")
    assert (tmp_path / "campaign.db").exists()
