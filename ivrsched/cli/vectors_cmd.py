"""``ivrsched vectors``: write conformance vectors for other implementations (SPEC S11)."""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

from ivrsched.cli.common import EXIT_OK, EXIT_USAGE, CliError, read_policy
from ivrsched.oracle.vectors import POLICY_FILE, write_vectors

#: The directories ``vectors`` writes: ``case-001``, ``case-002``, ...
CASE_DIRECTORY = re.compile(r"case-\d{3,}")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from exc
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "vectors", help="write conformance test cases for another implementation",
        description="Write COUNT cases to OUT_DIR: each a request, a submission time, the "
                    "expected plan and attempt logs with the violations a verifier must report, "
                    "plus a README explaining the format. The same --seed writes the same files. "
                    "With --policy every case is planned and checked under that calling "
                    f"policy: each case keeps a copy of it as {POLICY_FILE}, its destinations "
                    "are numbers of known time zones and its logs add the policy's rules "
                    "(calling hours, closed days, frequency cap, numbers without a zone).")
    parser.add_argument("out_dir", metavar="OUT_DIR", help="directory to write (created)")
    parser.add_argument("--count", type=_positive, default=6, metavar="N",
                        help="number of cases (default 6)")
    parser.add_argument("--seed", type=int, default=0, metavar="S",
                        help="seed of the cases and of generated messageIds (default 0)")
    parser.add_argument("--force", action="store_true",
                        help="write into a non-empty OUT_DIR, first removing the cases and "
                             "README an earlier run wrote there (nothing else is touched)")
    parser.add_argument("--policy", metavar="FILE",
                        help="calling policy JSON (as plan --policy reads it) to generate every "
                             "case under; needs the policy extra")
    parser.set_defaults(run=run)


def _clear_earlier_cases(out: Path, force: bool) -> None:
    """Refuse a non-empty OUT_DIR (stale cases of an earlier, larger run would stay beside the
    new ones); with ``--force``, remove only what ``vectors`` itself writes there."""
    if not out.is_dir() or not any(out.iterdir()):
        return
    if not force:
        raise CliError(f"{out} is not empty (an earlier run's cases would be left beside the "
                       "new ones); choose an empty directory or pass --force", EXIT_USAGE)
    for entry in out.iterdir():
        if entry.is_dir() and CASE_DIRECTORY.fullmatch(entry.name):
            shutil.rmtree(entry)
    (out / "README.md").unlink(missing_ok=True)


def run(args: argparse.Namespace) -> int:
    out = Path(args.out_dir)
    # The policy is read (and refused, exit 3) before anything is written or removed.
    policy = None if args.policy is None else read_policy(args.policy)[1]
    try:
        _clear_earlier_cases(out, args.force)
        cases = write_vectors(out, args.count, args.seed, policy=policy)
    except OSError as exc:
        raise CliError(f"cannot write {out}: {exc.strerror or exc}", EXIT_USAGE) from exc
    print(f"wrote {len(cases)} case(s) to {out}", file=sys.stderr)
    return EXIT_OK
