"""``tavus-slack``: run the app, check the configuration, or serve the Tavus sandbox."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import sys
from collections.abc import Callable, Sequence

from dotenv import find_dotenv, load_dotenv

from bot import __version__
from bot.config import ConfigError, Settings, configure_logging


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tavus-slack",
        description="Tavus for Slack: start Tavus calls from Slack and follow them in threads.",
    )
    parser.add_argument("--version", action="version", version=f"tavus-slack {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    commands.add_parser(
        "run", help="serve Slack (HTTP or Socket Mode), Tavus callbacks and /healthz"
    )
    commands.add_parser(
        "check", help="verify the configuration against Slack, Tavus and the database"
    )
    sandbox = commands.add_parser("sandbox", help="serve a local Tavus API simulator")
    sandbox.add_argument(
        "--port", type=_port, default=8765, help="port to listen on, 1-65535 (default 8765)"
    )
    sandbox.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    sandbox.add_argument(
        "--api-key", default="sandbox-key", help="the x-api-key it accepts (default sandbox-key)"
    )
    sandbox.add_argument(
        "--latency", type=float, default=0.0, help="seconds to wait before every answer (0)"
    )
    sandbox.add_argument(
        "--joined-delay", type=float, default=1.0, help="seconds until the replica joins (1)"
    )
    sandbox.add_argument(
        "--time-scale",
        type=float,
        default=1.0,
        help="multiply every call timeout, e.g. 0.01 makes a 60 s timeout 0.6 s (1)",
    )
    sandbox.add_argument(
        "--duplicate-callbacks", action="store_true", help="send every callback twice"
    )
    sandbox.add_argument(
        "--reorder-callbacks",
        action="store_true",
        help="send each batch of a call's callbacks last-first (shutdown after transcript)",
    )
    return parser


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (1-65535)")
    return port


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    load_env_file()
    if args.command == "sandbox":
        return _sandbox(args)
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"tavus-slack: {exc}", file=sys.stderr)
        return 2
    if args.command == "check":
        from bot.checks import run_checks

        # One line per check: the clients' INFO lines would come between them.
        configure_logging("DEBUG" if settings.log_level == "DEBUG" else "WARNING")
        return asyncio.run(run_checks(settings))
    from bot.app import run

    configure_logging(settings.log_level)
    where = f"PORT {settings.port} on HOST {settings.host}"
    return serve_or_explain(where, lambda: asyncio.run(run(settings)))


def load_env_file() -> str:
    """Loads the .env of the folder tavus-slack runs in, or of the nearest folder above it
    (where DATABASE_URL's relative paths are read from too); the environment wins over it.
    Returns its path ("" for none)."""
    path = find_dotenv(usecwd=True)
    if path:
        load_dotenv(path)
    return path


def serve_or_explain(where: str, serve: Callable[[], None]) -> int:
    """Runs a server; an address another program holds is a one-line error and exit code 2,
    not a traceback."""
    try:
        serve()
    except OSError as exc:
        if exc.errno not in (errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EACCES):
            raise
        print(f"tavus-slack: cannot listen on {where}: {exc.strerror}", file=sys.stderr)
        return 2
    return 0


def sandbox_options(args: argparse.Namespace) -> dict[str, float | bool]:
    """The `sandbox` flags as `build_app` options."""
    return {
        "latency": args.latency,
        "joined_delay": args.joined_delay,
        "time_scale": args.time_scale,
        "duplicate_callbacks": args.duplicate_callbacks,
        "reorder_callbacks": args.reorder_callbacks,
    }


def _sandbox(args: argparse.Namespace) -> int:
    from bot.sandbox import check_options, serve

    options = sandbox_options(args)
    try:
        check_options(options)
    except ValueError as exc:
        print(f"tavus-slack sandbox: {exc}", file=sys.stderr)
        return 2
    configure_logging("INFO")
    print(f"Tavus sandbox on http://{args.host}:{args.port} (x-api-key: {args.api_key})")
    print("Faults and settings: /_sandbox/faults, /_sandbox/settings (see the README)")
    with contextlib.suppress(KeyboardInterrupt):
        return serve_or_explain(
            f"{args.host}:{args.port}",
            lambda: asyncio.run(
                serve(host=args.host, port=args.port, api_key=args.api_key, **options)
            ),
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
