"""How fast `/tavus` slash commands are acknowledged while Tavus is slow.

Runs everything on loopback in this one process: the Tavus sandbox answering every request
after `--tavus-latency` seconds, the fake Slack Web API from the tests, and the real app
(`bot.app.running_app`). Sends `--requests` signed `/tavus call` and `/tavus help` commands
over real HTTP, one at a time, and times each round trip to Slack's 200.

    .venv/bin/python benchmarks/ack_latency.py [--requests 50] [--tavus-latency 5]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.fakes is not installed; it lives next to bot/

import httpx  # noqa: E402

from bot.app import running_app  # noqa: E402
from bot.config import DEFAULT_POLL_INTERVAL_SECONDS  # noqa: E402
from bot.sandbox import SEED_PERSONA_ID  # noqa: E402
from tests.fakes.signing import signed_headers, slash_command_body  # noqa: E402
from tests.fakes.slack import FakeSlack  # noqa: E402
from tests.harness import SIGNING_SECRET, app_settings, tavus_sandbox  # noqa: E402

HTTP_TIMEOUT_SECONDS = 10.0
# The whole run, including letting the background calls finish, stays under this.
RUN_TIMEOUT_SECONDS = 300.0
SETTLE_TIMEOUT_SECONDS = 60.0
COMMANDS = {"call": "call benchmark context", "help": "help"}


async def time_command(http: httpx.AsyncClient, url: str, text: str, response_url: str) -> float:
    body = slash_command_body(text, response_url=response_url)
    started = time.perf_counter()
    response = await http.post(url, content=body, headers=signed_headers(SIGNING_SECRET, body))
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"/tavus {text}: HTTP {response.status_code} {response.text[:200]}")
    return elapsed * 1000


def summary(name: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return (
        f"/tavus {name:<5} n={len(ordered):<4} p50={statistics.median(ordered):7.2f} ms  "
        f"p95={p95:7.2f} ms  max={ordered[-1]:7.2f} ms"
    )


async def settle(fake: FakeSlack, expected: int) -> float:
    """Waits for the background work: every `/tavus call` ends in a card or a reply."""
    started = time.perf_counter()
    deadline = started + SETTLE_TIMEOUT_SECONDS
    while len(fake.calls_to("chat.postMessage")) + len(fake.responses) < expected:
        if time.perf_counter() > deadline:
            raise RuntimeError(f"background work did not finish in {SETTLE_TIMEOUT_SECONDS}s")
        await asyncio.sleep(0.05)
    return time.perf_counter() - started


async def bench(requests: int, latency: float) -> None:
    with tempfile.TemporaryDirectory(prefix="tavus-bench-") as tmp:
        async with (
            FakeSlack() as fake,
            tavus_sandbox(latency=latency, max_concurrent=requests) as sandbox,
        ):
            settings = app_settings(
                slack=fake,
                tavus_url=sandbox.url,
                database_path=Path(tmp) / "bench.db",
                default_persona_id=SEED_PERSONA_ID,
                poll_interval_seconds=DEFAULT_POLL_INTERVAL_SECONDS,
            )
            async with (
                running_app(settings) as app,
                httpx.AsyncClient(timeout=HTTP_TIMEOUT_SECONDS) as http,
            ):
                url = f"{app.base_url}/slack/events"
                samples: dict[str, list[float]] = {name: [] for name in COMMANDS}
                for _ in range(requests):
                    for name, text in COMMANDS.items():
                        samples[name].append(await time_command(http, url, text, fake.response_url))
                settled = await settle(fake, requests)
    print(f"{requests} of each command, Tavus answering after {latency:g} s, loopback HTTP")
    for name, values in samples.items():
        print(summary(name, values))
    print(f"background: every /tavus call answered in Slack {settled:.1f} s after the last ack")
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak RSS (whole process: app + sandbox + fake Slack): {peak_kib / 1024:.1f} MiB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50, help="commands of each kind (50)")
    parser.add_argument(
        "--tavus-latency", type=float, default=5.0, help="seconds the Tavus sandbox waits (5)"
    )
    args = parser.parse_args()
    if not 0 < args.requests <= 1000:
        parser.error("--requests must be between 1 and 1000")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    asyncio.run(asyncio.wait_for(bench(args.requests, args.tavus_latency), RUN_TIMEOUT_SECONDS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
