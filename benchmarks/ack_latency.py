"""How fast `/tavus` slash commands are acknowledged while Tavus is slow, beside the floor.

The app runs as its own process (`python -m bot run`) between the fake Slack Web API and the
Tavus sandbox, which answers every request after `--tavus-latency` seconds. Sends `--requests`
signed `/tavus call` and `/tavus help` commands over real HTTP, one at a time, and times each
round trip to Slack's 200. The floor (`benchmarks/floor.py`) gets the same signed bodies and
only verifies the signature before answering 200. Each round measures the floor, then the app,
then waits until every `/tavus call` has been answered in Slack, so no background work
overlaps the next round's measure.

    .venv/bin/python benchmarks/ack_latency.py [--requests 100] [--tavus-latency 5] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from _common import (
    Cpus,
    FakeSlack,
    Latency,
    Request,
    Server,
    add_pin_option,
    app_command,
    app_environment,
    base_environment,
    floor_command,
    free_port,
    header,
    http_session,
    mib,
    ratio,
    serving,
    split_cpus,
    spread,
    tavus_sandbox,
    timed_post,
    write_floor_seeds,
)

from bot.sandbox import SEED_PERSONA_ID
from tests.fakes.signing import signed_headers, slash_command_body
from tests.harness import SIGNING_SECRET

# The whole run, including letting the background calls finish, stays under this.
RUN_TIMEOUT_SECONDS = 300.0
SETTLE_TIMEOUT_SECONDS = 60.0
SETTLE_POLL_SECONDS = 0.05
COMMANDS = {"call": "call benchmark context", "help": "help"}
Samples = dict[str, list[float]]


@dataclass(frozen=True)
class Options:
    requests: int
    latency: float
    rounds: int
    pin: bool


async def time_commands(
    session: aiohttp.ClientSession, server: Server, slack: FakeSlack, requests: int
) -> Samples:
    samples: Samples = {name: [] for name in COMMANDS}
    for _ in range(requests):
        for name, text in COMMANDS.items():
            body = slash_command_body(text, response_url=slack.response_url)
            headers = signed_headers(SIGNING_SECRET, body)
            request = Request(f"{server.base_url}/slack/events", body.encode(), headers)
            samples[name].append(await timed_post(session, request))
    return samples


async def settle(slack: FakeSlack, expected: int) -> float:
    """Waits for the background work: every `/tavus call` ends in a card or a reply."""
    started = time.perf_counter()
    deadline = started + SETTLE_TIMEOUT_SECONDS
    while len(slack.calls_to("chat.postMessage")) + len(slack.responses) < expected:
        if time.perf_counter() > deadline:
            raise RuntimeError(f"background work did not finish in {SETTLE_TIMEOUT_SECONDS}s")
        await asyncio.sleep(SETTLE_POLL_SECONDS)
    return time.perf_counter() - started


def report(app: Sequence[Samples], floor: Sequence[Samples], peak: float | None) -> None:
    print("all rounds pooled; p50 per round:")
    for name in COMMANDS:
        for who, rounds in (("app", app), ("floor", floor)):
            pooled = Latency.of([ms for r in rounds for ms in r[name]])
            p50s = spread([Latency.of(r[name]).p50 for r in rounds])
            print(f"  /tavus {name:<5} {who:<5} {pooled.line()}  round p50s {p50s}")
        app_p50 = Latency.of([ms for r in app for ms in r[name]]).p50
        floor_p50 = Latency.of([ms for r in floor for ms in r[name]]).p50
        print(f"  /tavus {name:<5} app/floor p50 {ratio(app_p50, floor_p50):.1f}x")
    print(f"app peak RSS (its own process): {mib(peak)}")


@contextlib.asynccontextmanager
async def servers(
    slack: FakeSlack, tavus_url: str, workdir: Path, cpus: Cpus | None
) -> AsyncIterator[tuple[Server, Server]]:
    app_port, floor_port = free_port(), free_port()
    env = app_environment(
        slack=slack,
        tavus_url=tavus_url,
        database=workdir / "app.db",
        port=app_port,
        TAVUS_DEFAULT_PERSONA_ID=SEED_PERSONA_ID,
    )
    seeds = write_floor_seeds(workdir / "seeds.json", [])
    floor_cmd = floor_command(port=floor_port, database=workdir / "floor.db", seeds=seeds)
    floor_env, app_log, floor_log = base_environment(), workdir / "app.log", workdir / "floor.log"
    async with (
        serving("app", app_command(), env, port=app_port, log=app_log, cpus=cpus) as app,
        serving("floor", floor_cmd, floor_env, port=floor_port, log=floor_log, cpus=cpus) as floor,
    ):
        yield app, floor


async def run_rounds(
    session: aiohttp.ClientSession, slack: FakeSlack, app: Server, floor: Server, options: Options
) -> tuple[list[Samples], list[Samples]]:
    app_rounds: list[Samples] = []
    floor_rounds: list[Samples] = []
    for index in range(options.rounds):
        floor_rounds.append(await time_commands(session, floor, slack, options.requests))
        app_rounds.append(await time_commands(session, app, slack, options.requests))
        settled = await settle(slack, options.requests * (index + 1))
        print(
            f"round {index + 1}: /tavus call p50 app "
            f"{Latency.of(app_rounds[-1]['call']).p50:.2f} ms, floor "
            f"{Latency.of(floor_rounds[-1]['call']).p50:.2f} ms; "
            f"every call answered in Slack {settled:.1f} s after the last ack",
            flush=True,
        )
    return app_rounds, floor_rounds


async def bench(options: Options) -> None:
    cpus = split_cpus(options.pin)
    header("ack: signed /tavus commands -> Slack's 200, app vs floor", cpus)
    print(
        f"   {options.requests} of each command per round, {options.rounds} rounds, "
        f"Tavus answering after {options.latency:g} s, loopback HTTP"
    )
    calls = options.requests * options.rounds
    with tempfile.TemporaryDirectory(prefix="tavus-bench-ack-") as tmp:
        async with (
            FakeSlack() as slack,
            # No callbacks during the run: only the acks and their background work count.
            tavus_sandbox(latency=options.latency, max_concurrent=calls, joined_delay=3600) as tv,
            http_session() as session,
            servers(slack, tv.url, Path(tmp), cpus) as (app, floor),
        ):
            app_rounds, floor_rounds = await run_rounds(session, slack, app, floor, options)
            peak = app.peak_rss_mib()
    report(app_rounds, floor_rounds, peak)


def parse_options() -> Options:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--requests", type=int, default=100, help="commands of each kind per round (100)"
    )
    parser.add_argument(
        "--tavus-latency", type=float, default=5.0, help="seconds the Tavus sandbox waits (5)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds (3)")
    add_pin_option(parser)
    args = parser.parse_args()
    if not 0 < args.requests <= 1000 or not 0 < args.rounds <= 10:
        parser.error("--requests must be between 1 and 1000, --rounds between 1 and 10")
    return Options(args.requests, args.tavus_latency, args.rounds, args.pin)


def main() -> int:
    asyncio.run(asyncio.wait_for(bench(parse_options()), RUN_TIMEOUT_SECONDS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
