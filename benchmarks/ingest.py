"""How fast the app stores Tavus callbacks under concurrent load, beside the floor.

Each round starts a fresh database and a fresh process (the app with `python -m bot run`, then
the floor, `benchmarks/floor.py`), seeds the same conversations, and sends `--requests`
`POST /tavus/callbacks/{token}` from `--concurrency` senders after a warm-up. Every callback is
an `application.post_call_action_executed` with its own tool name, so each stores a new event
and a thread reply. A 200 means committed, in the app and in the floor alike. Reports requests
per second, p50/p95/p99 latency and each process's peak RSS, per round and as the median of the
rounds with their range.

    .venv/bin/python benchmarks/ingest.py [--requests 2000] [--concurrency 16] [--rounds 7]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from _common import (
    JSON_HEADERS,
    Conversation,
    Cpus,
    FakeSlack,
    Load,
    Request,
    Server,
    add_pin_option,
    app_command,
    app_environment,
    base_environment,
    channel_ids,
    count_app_events,
    count_floor_events,
    floor_command,
    free_port,
    header,
    http_session,
    mib,
    new_conversations,
    post_call_action,
    ratio,
    run_load,
    seed_app,
    serving,
    split_cpus,
    spread,
    tavus_sandbox,
    verdict,
    write_floor_seeds,
)

RUN_TIMEOUT_SECONDS = 600.0
# The targets the store rework is judged against.
MIN_RPS_RATIO = 0.5
MAX_P99_RATIO = 2.0


@dataclass(frozen=True)
class Options:
    requests: int
    warmup: int
    concurrency: int
    rounds: int
    channels: int
    per_channel: int
    pin: bool


@dataclass(frozen=True)
class Round:
    load: Load
    idle_rss: float | None
    peak_rss: float | None

    def line(self) -> str:
        return (
            f"rps={self.load.rps:8.1f}  {self.load.latency.line()}  "
            f"RSS idle {mib(self.idle_rss)}, peak {mib(self.peak_rss)}"
        )


@dataclass
class Setup:
    slack: FakeSlack
    tavus_url: str
    workdir: Path
    conversations: list[Conversation]
    sequence: Iterator[int]
    cpus: Cpus | None


def callbacks(server: Server, setup: Setup, count: int) -> list[Request]:
    """Spread round-robin over the conversations (and so over their channels)."""
    requests = []
    for conversation, n in zip(
        itertools.cycle(setup.conversations), itertools.islice(setup.sequence, count), strict=False
    ):
        body = post_call_action(conversation, f"ingest-{n}", n)
        requests.append(Request(server.callback_url(conversation.token), body, JSON_HEADERS))
    return requests


async def measure(server: Server, setup: Setup, options: Options) -> Round:
    idle = server.rss_mib()
    async with http_session(options.concurrency) as session:
        warmup = callbacks(server, setup, options.warmup)
        await run_load(session, warmup, concurrency=options.concurrency)
        measured = callbacks(server, setup, options.requests)
        load = await run_load(session, measured, concurrency=options.concurrency)
    return Round(load=load, idle_rss=idle, peak_rss=server.peak_rss_mib())


async def app_round(setup: Setup, options: Options, index: int) -> Round:
    database, port = setup.workdir / f"app-{index}.db", free_port()
    await seed_app(database, setup.conversations)
    env = app_environment(
        slack=setup.slack, tavus_url=setup.tavus_url, database=database, port=port
    )
    log = setup.workdir / "app.log"
    async with serving("app", app_command(), env, port=port, log=log, cpus=setup.cpus) as server:
        result = await measure(server, setup, options)
    check_stored("app", await count_app_events(database, setup.conversations), options)
    return result


async def floor_round(setup: Setup, options: Options, index: int) -> Round:
    database, port = setup.workdir / f"floor-{index}.db", free_port()
    seeds = write_floor_seeds(setup.workdir / "seeds.json", setup.conversations)
    command = floor_command(port=port, database=database, seeds=seeds)
    log = setup.workdir / "floor.log"
    env = base_environment()
    async with serving("floor", command, env, port=port, log=log, cpus=setup.cpus) as server:
        result = await measure(server, setup, options)
    check_stored("floor", await asyncio.to_thread(count_floor_events, database), options)
    return result


def check_stored(name: str, stored: int, options: Options) -> None:
    """Every 200 must have stored its event: a server that skipped work would look fast."""
    sent = options.warmup + options.requests
    if stored != sent:
        raise RuntimeError(f"{name} answered 200 to {sent} new callbacks but stored {stored}")


def summary(name: str, rounds: Sequence[Round]) -> str:
    rps = spread([r.load.rps for r in rounds], 1)
    p50 = spread([r.load.latency.p50 for r in rounds])
    p99 = spread([r.load.latency.p99 for r in rounds])
    peaks = [r.peak_rss for r in rounds if r.peak_rss is not None]
    peak = spread(peaks, 1) + " MiB" if peaks else "n/a"
    return f"  {name:<5}  rps {rps}  p50 {p50} ms  p99 {p99} ms  peak RSS {peak}"


def report(app: Sequence[Round], floor: Sequence[Round]) -> None:
    print("median of rounds (range):")
    print(summary("app", app))
    print(summary("floor", floor))
    rps = ratio(
        statistics.median(r.load.rps for r in app), statistics.median(f.load.rps for f in floor)
    )
    p99 = ratio(
        statistics.median(r.load.latency.p99 for r in app),
        statistics.median(f.load.latency.p99 for f in floor),
    )
    print(
        f"  app/floor: rps {rps:.3f}x (target >= {MIN_RPS_RATIO}x: "
        f"{verdict(rps >= MIN_RPS_RATIO)}), p99 {p99:.3f}x "
        f"(target <= {MAX_P99_RATIO}x: {verdict(p99 <= MAX_P99_RATIO)})"
    )
    pairs = list(zip(app, floor, strict=True))
    rps_rounds = spread([ratio(a.load.rps, f.load.rps) for a, f in pairs])
    p99_rounds = spread([ratio(a.load.latency.p99, f.load.latency.p99) for a, f in pairs])
    print(f"  app/floor per round: rps {rps_rounds}x, p99 {p99_rounds}x")


async def bench(options: Options) -> None:
    cpus = split_cpus(options.pin)
    header("ingest: POST /tavus/callbacks/{token}, app vs floor", cpus)
    print(
        f"   {options.requests} callbacks per round after {options.warmup} warm-up, "
        f"{options.concurrency} concurrent senders, {options.rounds} rounds, "
        f"{options.channels * options.per_channel} conversations in {options.channels} channels"
    )
    with tempfile.TemporaryDirectory(prefix="tavus-bench-ingest-") as tmp:
        async with (
            FakeSlack() as slack,
            tavus_sandbox(joined_delay=3600) as sandbox,
            http_session() as session,
        ):
            channels = channel_ids(options.channels)
            conversations = await new_conversations(session, slack, channels, options.per_channel)
            sequence = itertools.count()
            setup = Setup(slack, sandbox.url, Path(tmp), conversations, sequence, cpus)
            app: list[Round] = []
            floor: list[Round] = []
            for index in range(options.rounds):
                app.append(await app_round(setup, options, index))
                print(f"round {index + 1} app    {app[-1].line()}", flush=True)
                floor.append(await floor_round(setup, options, index))
                print(f"round {index + 1} floor  {floor[-1].line()}", flush=True)
    report(app, floor)


def parse_options() -> Options:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="measured per round (2000)")
    parser.add_argument("--warmup", type=int, default=200, help="sent before measuring (200)")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent senders (16)")
    parser.add_argument("--rounds", type=int, default=7, help="app and floor rounds (7)")
    parser.add_argument("--channels", type=int, default=4, help="channels (4)")
    parser.add_argument("--per-channel", type=int, default=2, help="conversations each (2)")
    add_pin_option(parser)
    args = parser.parse_args()
    if args.requests < 100 or args.concurrency < 1 or args.rounds < 1:
        parser.error("need --requests >= 100, --concurrency >= 1 and --rounds >= 1")
    return Options(
        args.requests,
        args.warmup,
        args.concurrency,
        args.rounds,
        args.channels,
        args.per_channel,
        args.pin,
    )


def main() -> int:
    asyncio.run(asyncio.wait_for(bench(parse_options()), RUN_TIMEOUT_SECONDS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
