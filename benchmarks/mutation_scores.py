"""Mutation scores per module from mutmut's results in ``mutants/`` (docs/development.md).

Run from the project root after ``mutmut run``: prints a Markdown table, one row per mutated
module, and the surviving mutants' names (``mutmut show NAME`` shows each one's change).
Timeouts count as killed (the mutant made a test run forever, which a test run notices); a
mutant no selected test reaches ("no tests") counts as a survivor.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

KILLED = {1, 3}
TIMEOUT = {24, -24, 36, 152, 255}
SURVIVED = {0, 5, 33}


def main(root: Path = Path("mutants")) -> int:
    rows = []
    survivors: list[str] = []
    for meta in sorted(root.rglob("*.py.meta")):
        codes = json.loads(meta.read_text(encoding="utf-8")).get("exit_code_by_key", {})
        if not codes:
            continue
        tally = Counter("killed" if c in KILLED else "timeout" if c in TIMEOUT
                        else "survived" if c in SURVIVED else "unchecked" if c is None
                        else "other" for c in codes.values())
        checked = sum(tally.values()) - tally["unchecked"]
        if not checked:
            continue
        module = meta.relative_to(root).as_posix().removesuffix(".py.meta").replace("/", ".")
        score = 100 * (tally["killed"] + tally["timeout"]) / checked
        rows.append(f"| {module} | {checked} | {tally['killed']} | {tally['timeout']} | "
                    f"{tally['survived']} | {tally['other']} | {score:.1f}% |")
        survivors += sorted(name for name, c in codes.items() if c in SURVIVED)
    print("| module | mutants | killed | timeouts | survived | other | score |")
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    if survivors:
        print("\nSurvivors:")
        print("\n".join(survivors))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("mutants")))
