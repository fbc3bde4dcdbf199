#!/usr/bin/env python3
"""A stand-in dialer for ``ivrsched run --dialer``: it places no call, it makes one up.

It reads one attempt as a JSON object on standard input (``key``, ``messageId``, ``to``,
``attempt``, ``time``, ``inDoubt``) and prints how the call ended, for example
``{"outcome": "answered", "duration": 4.2, "answerAfter": 1.5}``. The outcome is drawn at
random from the attempt's key and ``--seed``, so the same key always gets the same answer.

With ``--calls FILE`` it keeps a journal of its own: each key it calls is appended to FILE
with its outcome, and a key already in FILE (an attempt asked again after a crash) is answered
from FILE without calling again, which is how a real dialer stays idempotent by key.

    echo '{"key": "m1:1", "time": "2026-03-01T09:00:00Z"}' | python examples/dialer.py --seed 7
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import time
from decimal import Decimal
from fractions import Fraction


def rate(text: str) -> Fraction:
    value = Fraction(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError("a rate is between 0 and 1")
    return value


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Answer one attempt at random.")
    parser.add_argument("--seed", default="0", help="the same seed and key give the same answer")
    parser.add_argument("--answer-rate", type=rate, default=Fraction(1, 2))
    parser.add_argument("--busy-rate", type=rate, default=Fraction(1, 5))
    parser.add_argument("--talk", type=Decimal, default=Decimal(3),
                        help="seconds an answered call lasts at most (default 3)")
    parser.add_argument("--calls", metavar="FILE",
                        help="remember each key called, and answer a key again from here")
    parser.add_argument("--wait", action="store_true",
                        help="sleep for the call's duration before answering, like a real call")
    return parser.parse_args()


def draw(seed: str, key: str, args: argparse.Namespace) -> dict[str, object]:
    digest = hashlib.sha256(f"{seed}\0{key}".encode()).digest()
    rng = random.Random(digest)
    # A draw in millionths, compared exactly with the rates.
    point = Fraction(rng.randrange(1_000_000), 1_000_000)
    # Durations in whole milliseconds, written as exact decimals.
    def seconds(low_ms: int, high_ms: int) -> Decimal:
        return Decimal(rng.randint(low_ms, high_ms)) / 1000

    if point < args.answer_rate:
        answer_after = seconds(0, 1500)
        duration = answer_after + seconds(1, int(args.talk * 1000))
        return {"outcome": "answered", "duration": duration, "answerAfter": answer_after}
    if point < args.answer_rate + args.busy_rate:
        return {"outcome": "busy", "duration": seconds(100, 500)}
    return {"outcome": "no-answer", "duration": seconds(500, 2000)}


def encode(answer: dict[str, object]) -> str:
    """The answer as JSON, with its durations as exact decimal numbers (not floats)."""
    members = (f"{json.dumps(name)}: {value if isinstance(value, Decimal) else json.dumps(value)}"
               for name, value in answer.items())
    return "{" + ", ".join(members) + "}"


def remembered(path: str, key: str) -> dict[str, object] | None:
    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                entry = json.loads(line, parse_float=Decimal)
                if entry["key"] == key:
                    answer: dict[str, object] = entry["answer"]
                    return answer
    except FileNotFoundError:
        pass
    return None


def main() -> int:
    args = arguments()
    attempt = json.load(sys.stdin)
    key = str(attempt["key"])
    answer = remembered(args.calls, key) if args.calls else None
    if answer is None:
        answer = draw(args.seed, key, args)
        if args.calls:
            line = f'{{"key": {json.dumps(key)}, "answer": {encode(answer)}}}\n'
            # One append per call: whole lines, even when several dialers run at once.
            fd = os.open(args.calls, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, line.encode("utf-8"))
            finally:
                os.close(fd)
        if args.wait:
            time.sleep(float(Decimal(str(answer["duration"]))))
    print(encode(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main())
