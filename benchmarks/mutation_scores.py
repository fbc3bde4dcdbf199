"""Mutation scores per module from mutmut's results in ``mutants/`` (docs/development.md).

Run from the project root after ``mutmut run``::

    python benchmarks/mutation_scores.py            # the table, and what is not classified
    python benchmarks/mutation_scores.py --list     # the survivors' list of the docs

It prints a Markdown table, one row per mutated module. Timeouts count as killed (the mutant
made a test run forever, which a test run notices); a mutant no selected test reaches ("no
tests") counts as a survivor. ``tests/mutation_equivalents.toml`` lists the survivors no test
can kill, each group with why: the *score* is the usual mutation score, killed ÷ (mutants −
equivalent); *raw* counts every survivor. The exit status is 1 when a survivor is not in that
list (a test is missing, or a reason) or a listed mutant is killed or gone (the list is stale);
a listed mutant that timed out is printed apart, since it is likelier a slow survivor.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

KILLED = {1, 3}
TIMEOUT = {24, -24, 36, 152, 255}
SURVIVED = {0, 5, 33}
EQUIVALENTS = Path("tests/mutation_equivalents.toml")


@dataclass(frozen=True)
class Group:
    """Mutants of one module that survive for one reason."""

    module: str
    mutants: tuple[str, ...]
    why: str


def load_groups(path: Path) -> list[Group]:
    with path.open("rb") as file:
        table = tomllib.load(file)
    return [Group(g["module"], tuple(g["mutants"]), g["why"]) for g in table["equivalent"]]


def results(root: Path) -> dict[str, dict[str, int | None]]:
    """``module -> {mutant (its name within the module) -> exit code}``."""
    found = {}
    for meta in sorted(root.rglob("*.py.meta")):
        codes = json.loads(meta.read_text(encoding="utf-8")).get("exit_code_by_key", {})
        module = meta.relative_to(root).as_posix().removesuffix(".py.meta").replace("/", ".")
        if codes:
            found[module] = {name.removeprefix(module + "."): code for name, code in codes.items()}
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", nargs="?", type=Path, default=Path("mutants"))
    parser.add_argument("--equivalents", type=Path, default=EQUIVALENTS)
    parser.add_argument("--list", action="store_true",
                        help="print the equivalent survivors as the docs list them")
    args = parser.parse_args(argv)
    groups = load_groups(args.equivalents)
    if args.list:
        for g in groups:
            short = g.module.rsplit(".", 1)[1]
            print(f"- {short}: " + ", ".join(f"`{m}`" for m in g.mutants) + f": {g.why}")
        return 0
    equivalent = {(g.module, m) for g in groups for m in g.mutants}
    print("| module | mutants | killed | timeouts | survived | of them equivalent | not run "
          "| raw | score |")
    print("|---|---|---|---|---|---|---|---|---|")
    unclassified: list[str] = []
    stale: list[str] = []
    cut_off: list[str] = []
    for module, codes in results(args.root).items():
        tally = Counter("killed" if c in KILLED else "timeout" if c in TIMEOUT
                        else "survived" if c in SURVIVED else "not run" if c is None
                        else "other" for c in codes.values())
        survivors = {name for name, c in codes.items() if c in SURVIVED}
        listed = {name for mod, name in equivalent if mod == module}
        unclassified += [f"{module}.{n}" for n in sorted(survivors - listed)]
        stale += [f"{module}.{n}" for n in sorted(listed - survivors)
                  if codes.get(n, 0) is not None and codes.get(n) not in TIMEOUT]
        cut_off += [f"{module}.{n}" for n in sorted(listed) if codes.get(n) in TIMEOUT]
        run = len(codes) - tally["not run"]
        detected = tally["killed"] + tally["timeout"]
        same = len(survivors & listed)
        raw = 100 * detected / run if run else 0.0
        score = 100 * detected / (run - same) if run > same else 100.0
        print(f"| {module} | {len(codes)} | {tally['killed']} | {tally['timeout']} | "
              f"{tally['survived']} | {same} | {tally['not run']} | {raw:.1f}% | {score:.1f}% |")
    if unclassified:
        print("\nSurvivors not listed as equivalent:")
        print("\n".join(unclassified))
    if stale:
        print(f"\nListed in {args.equivalents} but not surviving (killed, or gone):")
        print("\n".join(stale))
    if cut_off:
        # A listed mutant that timed out ran its tests past the limit: counted as caught here,
        # it is more likely a slow survivor (raise timeout_multiplier) than a loop.
        print(f"\nListed in {args.equivalents} but timed out (a slow survivor?):")
        print("\n".join(cut_off))
    return 1 if unclassified or stale else 0


if __name__ == "__main__":
    sys.exit(main())
