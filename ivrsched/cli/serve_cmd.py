"""``ivrsched serve``: the platform's API on this machine, driven by the engine (S13, S14)."""

from __future__ import annotations

import argparse
import ipaddress
from pathlib import Path

from ivrsched.cli.common import EXIT_OK, EXIT_USAGE, CliError, parse_now
from ivrsched.cli.simulate_cmd import DEFAULT_ANSWER_RATE, DEFAULT_BUSY_RATE, probability


def _credentials(text: str) -> tuple[str, str]:
    user, colon, password = text.partition(":")
    if not colon or not user:
        raise argparse.ArgumentTypeError("give USER:PASSWORD")
    return user, password


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "serve", help="serve a local sandbox of the platform's voice API",
        description="Serve POST /voice/ivr/1/messages, /tts/3/advanced and /calls/1/bulks, "
                    "delivery reports (pushed to notifyUrl and pulled from GET "
                    "/voice/1/reports) and bulk management, with every attempt timed by the "
                    "engine. Needs the server extra: pip install 'ivrsched[server]'. "
                    "See docs/sandbox.md.")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    parser.add_argument("--data", required=True, metavar="DIR", type=Path,
                        help="directory of the campaigns' journals; a restarted sandbox "
                             "continues the campaigns it holds")
    parser.add_argument("--clock", choices=("real", "virtual"), default="real",
                        help="real time (default), or virtual time that moves only when "
                             "POST /sandbox/clock moves it")
    parser.add_argument("--start", metavar="ISO",
                        help="where a virtual clock starts (default: now)")
    parser.add_argument("--credentials", type=_credentials, metavar="USER:PASSWORD",
                        help="accept HTTP Basic authentication with these credentials")
    parser.add_argument("--api-key", metavar="KEY",
                        help="accept 'Authorization: App KEY'")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of generated IDs and simulated outcomes (default 0)")
    parser.add_argument("--answer-rate", type=probability, default=DEFAULT_ANSWER_RATE)
    parser.add_argument("--busy-rate", type=probability, default=DEFAULT_BUSY_RATE)
    parser.add_argument("--outcomes", type=Path, metavar="FILE",
                        help="scripted outcomes per number or messageId (JSONL or CSV, as "
                             "simulate reads them); other attempts use the random model")
    parser.add_argument("--allow-report-host", action="append", default=[], metavar="HOST",
                        help="a host that may receive pushed reports (repeatable; default: "
                             "loopback only)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from ivrsched.sandbox import Credentials, RealClock, SandboxConfig, VirtualClock
        from ivrsched.sandbox.app import create_app
    except ImportError as exc:
        raise CliError("serve needs the server extra: pip install 'ivrsched[server]'",
                       EXIT_USAGE) from exc
    if args.answer_rate + args.busy_rate > 1:
        raise CliError("--answer-rate + --busy-rate must not exceed 1", EXIT_USAGE)
    try:
        ipaddress.ip_address(args.host)
    except ValueError:
        if args.host != "localhost":
            raise CliError(f"--host: not an IP address: {args.host}", EXIT_USAGE) from None
    hosts = {"127.0.0.1", "localhost", "::1", *args.allow_report_host}
    user, password = args.credentials or (None, None)
    config = SandboxConfig(
        data_dir=args.data, credentials=Credentials(user, password, args.api_key),
        seed=args.seed, answer_rate=args.answer_rate, busy_rate=args.busy_rate,
        scripted_outcomes=args.outcomes, report_hosts=frozenset(hosts))
    if args.clock == "virtual":
        from ivrsched.rules.instants import to_us

        start = parse_now(args.start)
        clock = VirtualClock(to_us(start) if start is not None else RealClock().now_us())
    else:
        clock = RealClock()  # type: ignore[assignment]
    uvicorn.run(create_app(config, clock), host=args.host, port=args.port, log_level="warning")
    return EXIT_OK
