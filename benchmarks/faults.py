"""What a crash or a Slack storm costs: messages lost, posted twice, and the time to recover.

The burst is the tests' (`tests/faults/burst.py`): `--callbacks` Tavus callbacks over every
resource family (conversations with their objective and guardrail sets, videos, replicas,
documents, lip-syncs), threads spread over `--channels` channels, each thread's callbacks sent
in order, sixteen threads at a time. The app runs as a subprocess (`python -m bot run`) with
Slack's real pacing (about a post a second per channel) and its real Slack client timeout.

- kill -9 / SIGTERM: the app is signalled on the `--halt-after`-th 200, restarted, and the
  whole burst is sent again (Tavus redelivers what it got no 200 for; all of it here, which
  also proves the redelivered ones post nothing twice). Recovery: from the restart to an empty
  outbox.
- storms: a quarter of the channels get 429s (Retry-After 1 s), HTTP 500s, or answers held
  past the client's timeout, on chat.postMessage or chat.update, until every other channel
  has all its messages (and, for the hang, until the app has given up on a post and looked
  for it); then Slack is well again. Recovery: from the storm's end to an empty outbox.

Then every thread is read back from the fake Slack: each accepted callback's messages must
be there exactly once, in the order the callbacks were accepted, and every card must show its
resource as stored.

    .venv/bin/python benchmarks/faults.py [--callbacks 500] [--channels 48] [--halt-after 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _common import (
    ROOT,
    Cpus,
    FakeSlack,
    add_pin_option,
    header,
    split_cpus,
    tavus_sandbox,
)

from storage import Store
from tests.faults import burst
from tests.faults.crash import crash_and_recover
from tests.faults.process import (
    app_process,
    environment,
    until_drained,
    until_healthy,
)
from tests.harness import free_port

RUN_TIMEOUT_SECONDS = 900.0
WAIT_SECONDS = 120.0  # a failure deadline for every wait
APP_ENV = {"LOG_LEVEL": "INFO", "PYTHONPATH": str(ROOT)}


@dataclass(frozen=True)
class Options:
    callbacks: int
    channels: int
    halt_after: int
    pin: bool


@dataclass(frozen=True)
class StormCase:
    name: str
    method: str
    storm: dict[str, Any]


STORMS = (
    StormCase("429 on posts", "chat.postMessage", {"status": 429, "retry_after": 1}),
    StormCase("500 on posts", "chat.postMessage", {"status": 500, "error": "internal_error"}),
    StormCase("posts hang", "chat.postMessage", {"hang": True}),
    StormCase("429 on card updates", "chat.update", {"status": 429, "retry_after": 1}),
)


@dataclass(frozen=True)
class Row:
    scenario: str
    sent: int
    accepted: str
    report: burst.Report
    recovery_seconds: float
    note: str

    def line(self) -> str:
        r = self.report
        return (
            f"| {self.scenario} | {self.sent} | {self.accepted} | {r.delivered} of {r.expected}"
            f" | {len(r.duplicated)} | {len(r.lost)} | {len(r.out_of_order)}"
            f" | {len(r.stale_cards)} | {self.recovery_seconds:.1f} s | {self.note} |"
        )


TABLE_HEAD = (
    "| scenario | callbacks sent | accepted (200) | messages delivered | duplicated | lost"
    " | threads out of order | stale cards | recovery | note |\n"
    "|---|---|---|---|---|---|---|---|---|---|"
)


def pinner(cpus: Cpus | None) -> Callable[[int], None] | None:
    if cpus is None:
        return None
    server = cpus.server

    def pin(pid: int) -> None:
        os.sched_setaffinity(pid, server)  # still starting: its threads inherit the mask

    return pin


async def crash_row(options: Options, stop_with: signal.Signals, cpus: Cpus | None) -> Row:
    with tempfile.TemporaryDirectory(prefix="tavus-bench-faults-") as tmp:
        run = await crash_and_recover(
            Path(tmp),
            stop_with=stop_with,
            halt_after=options.halt_after,
            callbacks=options.callbacks,
            channels=options.channels,
            env=APP_ENV,
            on_start=pinner(cpus),
        )
    name = "kill -9" if stop_with is signal.SIGKILL else "SIGTERM"
    note = (
        f"exit {run.exit_code}; {run.left_in_outbox} rows left; "
        f"{run.in_flight_posts} posts in flight at the signal"
    )
    return Row(
        scenario=f"{name} at the {options.halt_after}th 200, restart, resend all",
        sent=run.sent,
        accepted=f"{run.accepted_before} before, {run.accepted_after} after",
        report=run.report,
        recovery_seconds=run.recovery_seconds,
        note=note,
    )


async def storm_row(options: Options, case: StormCase, cpus: Cpus | None) -> Row:
    plan = burst.plan(options.callbacks, channels=options.channels)
    stormed = plan.channels[::4]
    calm = [t for t in plan.threads if t.channel not in stormed]
    with tempfile.TemporaryDirectory(prefix="tavus-bench-faults-") as tmp:
        database, log, port = Path(tmp) / "app.db", Path(tmp) / "app.log", free_port()
        base_url = f"http://127.0.0.1:{port}"
        async with FakeSlack() as slack, tavus_sandbox() as sandbox:
            async with await Store.open(database) as store:
                await burst.seed(store, slack, plan)
            env = environment(slack, sandbox.url, database, port, **APP_ENV)
            with app_process(env, log, on_start=pinner(cpus)) as app:
                await until_healthy(base_url)
                storm = slack.storm(case.method, channels=stormed, **case.storm)
                started = time.perf_counter()
                sent = await burst.send(base_url, plan.callbacks)
                await burst.until_delivered(slack, plan, calm, timeout=WAIT_SECONDS)
                calm_done = time.perf_counter() - started
                await storm.wait_hits(1, timeout=WAIT_SECONDS)
                if storm.hang:  # the app gave up on a post and looked for it
                    await slack.wait_for("conversations.replies", timeout=WAIT_SECONDS)
                in_storm = burst.check(slack, plan, set(sent.accepted), threads=calm)
                storm.end()
                ended = time.perf_counter()
                await until_drained(database, timeout=WAIT_SECONDS)
                recovery = time.perf_counter() - ended
                app.send_signal(signal.SIGTERM)
                await asyncio.to_thread(app.wait, WAIT_SECONDS)
            async with await Store.open(database) as store:
                resources = await burst.stored_resources(store, plan)
            report = burst.check(slack, plan, set(sent.accepted), resources=resources)
    stormy = f"{len(stormed)} of {len(plan.channels)} channels"
    note = (
        f"{stormy}; the other {in_storm.delivered} messages all in {calm_done:.1f} s, "
        f"{ended - started:.1f} s into the storm; {storm.hits} calls hit"
    )
    if in_storm.problems:
        note += f"; during the storm: {in_storm.problems}"
    return Row(
        scenario=case.name,
        sent=len(plan.callbacks),
        accepted=str(len(sent.accepted)),
        report=report,
        recovery_seconds=recovery,
        note=note,
    )


async def bench(options: Options, storms: Sequence[StormCase]) -> None:
    cpus = split_cpus(options.pin)
    header("faults: crashes and Slack storms during a burst of callbacks", cpus)
    print(
        f"   {options.callbacks} callbacks, {options.channels} channels, "
        f"{burst.SENDERS} threads sent at a time"
    )
    rows: list[Row] = []
    for stop_with in (signal.SIGKILL, signal.SIGTERM):
        rows.append(await crash_row(options, stop_with, cpus))
        print(f"done: {rows[-1].scenario}", flush=True)
    for case in storms:
        rows.append(await storm_row(options, case, cpus))
        print(f"done: {case.name}", flush=True)
    print(TABLE_HEAD)
    for row in rows:
        print(row.line())
    failed = [row for row in rows if row.report.problems]
    for row in failed:
        print(f"{row.scenario}: {row.report.problems}", file=sys.stderr)
    if failed:
        raise SystemExit(1)


def parse_options() -> tuple[Options, list[StormCase]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callbacks", type=int, default=burst.CALLBACKS, help="(500)")
    parser.add_argument("--channels", type=int, default=burst.CHANNELS, help="(48)")
    parser.add_argument(
        "--halt-after", type=int, default=200, help="the 200 the app is signalled at (200)"
    )
    parser.add_argument(
        "--storms",
        default=",".join(str(i) for i in range(len(STORMS))),
        help="which storms, by number: "
        + ", ".join(f"{i} {c.name}" for i, c in enumerate(STORMS))
        + " (all)",
    )
    add_pin_option(parser)
    args = parser.parse_args()
    if not 0 < args.halt_after < args.callbacks or args.channels < 4:
        parser.error("need 0 < --halt-after < --callbacks and --channels >= 4")
    chosen = [STORMS[int(i)] for i in args.storms.split(",") if i.strip()]
    return Options(args.callbacks, args.channels, args.halt_after, args.pin), chosen


def main() -> int:
    options, storms = parse_options()
    asyncio.run(asyncio.wait_for(bench(options, storms), RUN_TIMEOUT_SECONDS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
