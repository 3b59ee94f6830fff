"""What the benchmark scripts share: processes, seeding, load, percentiles, reporting.

The app and the floors run as subprocesses, each on its own event loop; the load generator,
the fake Slack Web API and the Tavus sandbox run in the benchmark's process. The scripts touch
only the app's public surface: the `python -m bot run` CLI and its environment variables, the
HTTP routes, and `storage.Store` methods for seeding.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.fakes is not installed; it lives next to bot/

import aiohttp  # noqa: E402

from bot.callback_tokens import new_callback_token  # noqa: E402
from storage import Store  # noqa: E402
from tests.fakes.slack import FakeSlack  # noqa: E402
from tests.harness import SIGNING_SECRET, TAVUS_KEY  # noqa: E402
from tests.harness import tavus_sandbox as tavus_sandbox  # noqa: E402  (re-exported)

FLOOR_SCRIPT = Path(__file__).resolve().with_name("floor.py")
TEAM_ID = "T0001"
OWNER_ID = "U123"
POST_CALL_ACTION = "application.post_call_action_executed"
JSON_HEADERS = {"Content-Type": "application/json"}
# Long enough that no poller pass runs inside a benchmark: callbacks are what is measured.
POLL_INTERVAL_SECONDS = "3600"
STARTUP_TIMEOUT_SECONDS = 30.0
SHUTDOWN_TIMEOUT_SECONDS = 20.0
HTTP_TIMEOUT_SECONDS = 30.0
HEALTH_POLL_SECONDS = 0.05
LOG_TAIL_CHARS = 2000


# -- statistics -----------------------------------------------------------------------------


def percentile(ordered: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted sequence."""
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


@dataclass(frozen=True)
class Latency:
    """Milliseconds."""

    n: int
    p50: float
    p95: float
    p99: float
    max: float

    @classmethod
    def of(cls, samples_ms: Sequence[float]) -> Latency:
        ordered = sorted(samples_ms)
        return cls(
            n=len(ordered),
            p50=percentile(ordered, 0.50),
            p95=percentile(ordered, 0.95),
            p99=percentile(ordered, 0.99),
            max=ordered[-1],
        )

    def line(self) -> str:
        return (
            f"n={self.n:<5} p50={self.p50:8.2f}  p95={self.p95:8.2f}  "
            f"p99={self.p99:8.2f}  max={self.max:8.2f} ms"
        )


def spread(values: Sequence[float], digits: int = 2) -> str:
    """The median of the rounds with their range, e.g. `12.30 (11.90-13.10)`."""
    low, mid, high = min(values), statistics.median(values), max(values)
    return f"{mid:.{digits}f} ({low:.{digits}f}-{high:.{digits}f})"


def ratio(value: float, floor: float) -> float:
    return value / floor if floor else math.inf


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def header(title: str, cpus: Cpus | None) -> None:
    print(f"== {title}")
    print(f"   {describe_machine()}; code {describe_code()}")
    if cpus is None:
        print("   CPUs not pinned: servers and load generator share every CPU")
    else:
        server, load = sorted(cpus.server), sorted(cpus.load)
        print(f"   servers pinned to CPU {server}, load generator and fakes to CPU {load}")


def describe_machine() -> str:
    return (
        f"{_cpu_model()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def describe_code() -> str:
    """The commit under test, marked when the tree has uncommitted changes."""

    def git(*args: str) -> str:
        try:
            done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        except OSError:  # no git here
            return ""
        return done.stdout.strip() if done.returncode == 0 else ""

    sha = git("rev-parse", "--short", "HEAD")
    if not sha:
        return "unknown (not a git checkout)"
    return sha + (" + uncommitted changes" if git("status", "--porcelain") else "")


# -- load -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    url: str
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class Load:
    latency: Latency
    seconds: float

    @property
    def rps(self) -> float:
        return self.latency.n / self.seconds


async def run_load(
    session: aiohttp.ClientSession, requests: Sequence[Request], *, concurrency: int
) -> Load:
    """Sends every request from `concurrency` senders, each waiting for its answer in turn."""
    pending = iter(requests)
    samples: list[float] = []

    async def sender() -> None:
        for request in pending:
            samples.append(await timed_post(session, request))

    started = time.perf_counter()
    await asyncio.gather(*(sender() for _ in range(concurrency)))
    return Load(latency=Latency.of(samples), seconds=time.perf_counter() - started)


async def timed_post(session: aiohttp.ClientSession, request: Request) -> float:
    """Milliseconds to a 200; any other answer stops the run, as it would flatter the figures."""
    started = time.perf_counter()
    async with session.post(request.url, data=request.body, headers=request.headers) as response:
        text = await response.read()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != 200:
        raise RuntimeError(f"POST {request.url}: HTTP {response.status} {text[:200]!r}")
    return elapsed


def http_session(connections: int = 100) -> aiohttp.ClientSession:
    """Keep-alive connections, as Tavus and Slack reuse theirs."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=connections),
        timeout=aiohttp.ClientTimeout(total=HTTP_TIMEOUT_SECONDS),
    )


# -- seeding --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Conversation:
    """A conversation the callbacks address, with the parent message its replies thread under."""

    tavus_id: str
    token: str
    channel: str
    parent_ts: str


def channel_ids(count: int) -> list[str]:
    return [f"C0BENCH{index:03d}" for index in range(count)]


async def post_message(session: aiohttp.ClientSession, slack: FakeSlack, channel: str) -> str:
    """Posts a card-like message to the fake Slack, as the app's own card would be; its ts."""
    async with session.post(
        f"{slack.api_url}chat.postMessage",
        headers={"Authorization": f"Bearer {slack.token}"},
        json={"channel": channel, "text": "Tavus conversation (benchmark card)"},
    ) as response:
        body = await response.json()
    if not body.get("ok"):
        raise RuntimeError(f"the fake Slack refused the parent message: {body}")
    return str(body["ts"])


async def new_conversations(
    session: aiohttp.ClientSession, slack: FakeSlack, channels: Sequence[str], per_channel: int
) -> list[Conversation]:
    """Each conversation gets its own parent message in the fake Slack, as each card would."""
    conversations = []
    for index in range(per_channel * len(channels)):
        channel = channels[index % len(channels)]
        conversations.append(
            Conversation(
                tavus_id=f"cbench{index:06x}",
                token=new_callback_token(),
                channel=channel,
                parent_ts=await post_message(session, slack, channel),
            )
        )
    return conversations


async def seed_app(database: Path, conversations: Sequence[Conversation]) -> None:
    """Stores the conversations through the app's own store, before the app opens the file."""
    async with await Store.open(database) as store:
        for conversation in conversations:
            await store.create_resource(
                kind="conversation",
                tavus_id=conversation.tavus_id,
                team_id=TEAM_ID,
                owner_user_id=OWNER_ID,
                channel_id=conversation.channel,
                message_ts=conversation.parent_ts,
                status="live",
                callback_token=conversation.token,
            )


async def count_app_events(database: Path, conversations: Sequence[Conversation]) -> int:
    """Events the app stored for the conversations, read back through its own store."""
    total = 0
    async with await Store.open(database) as store:
        for conversation in conversations:
            resource = await store.get_resource(kind="conversation", tavus_id=conversation.tavus_id)
            if resource is not None:
                total += len(await store.list_events(resource_id=resource.id))
    return total


def count_floor_events(database: Path) -> int:
    with contextlib.closing(sqlite3.connect(database)) as db:
        return int(db.execute("SELECT count(*) FROM events").fetchone()[0])


def write_floor_seeds(path: Path, conversations: Sequence[Conversation]) -> Path:
    path.write_text(json.dumps([asdict(c) for c in conversations]))
    return path


def post_call_action(conversation: Conversation, tool_name: str, sequence: int) -> bytes:
    """A callback that stores a new event and one thread reply: its dedup key is new."""
    return json.dumps(
        {
            "conversation_id": conversation.tavus_id,
            "event_type": POST_CALL_ACTION,
            "message_type": "application",
            "timestamp": f"2025-01-01 00:00:00.{sequence:06d}",
            "properties": {"tool_name": tool_name},
        }
    ).encode()


# -- processes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cpus:
    server: frozenset[int]
    load: frozenset[int]


def split_cpus(pin: bool) -> Cpus | None:
    """Servers on one CPU, this process on the others: every round gets the same layout.

    Unpinned, where the scheduler puts a server's event loop and its SQLite thread swings its
    throughput by a third from one round to the next on a 2-CPU machine.
    """
    if not pin or not hasattr(os, "sched_setaffinity"):
        return None
    allowed = sorted(os.sched_getaffinity(0))
    if len(allowed) < 2:
        return None
    cpus = Cpus(server=frozenset(allowed[-1:]), load=frozenset(allowed[:-1]))
    os.sched_setaffinity(0, cpus.load)
    return cpus


def add_pin_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-pin",
        dest="pin",
        action="store_false",
        help="do not pin the servers to one CPU and the load generator to the others",
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def base_environment() -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TAVUS_"))}
    # The code under test is the tree this script lives in, whatever else is installed.
    return {**keep, "PYTHONPATH": str(ROOT)}


def app_environment(
    *, slack: FakeSlack, tavus_url: str, database: Path, port: int, **extra: str
) -> dict[str, str]:
    """The app's configuration as an operator gives it (bot/config.py), on loopback."""
    return {
        **base_environment(),
        "SLACK_BOT_TOKEN": slack.token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        "TAVUS_API_KEY": TAVUS_KEY,
        "TAVUS_API_URL": tavus_url,
        "DATABASE_URL": f"sqlite:///{database}",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "POLL_INTERVAL_SECONDS": POLL_INTERVAL_SECONDS,
        "LOG_LEVEL": "INFO",
        # Blank, not absent: the CLI's load_dotenv() fills only what is absent from a .env.
        "SLACK_APP_TOKEN": "",
        "TAVUS_DEFAULT_PERSONA_ID": "",
        "TAVUS_DEFAULT_REPLICA_ID": "",
        "TAVUS_SLACK_ADMINS": "",
        **extra,
    }


def app_command() -> list[str]:
    return [sys.executable, "-m", "bot", "run"]


def floor_command(
    *, port: int, database: Path, seeds: Path, relay_to: FakeSlack | None = None
) -> list[str]:
    """The floor server; with `relay_to` it posts each callback to Slack instead of storing it."""
    command = [sys.executable, str(FLOOR_SCRIPT), "--port", str(port)]
    command += ["--database", str(database), "--seeds", str(seeds)]
    command += ["--signing-secret", SIGNING_SECRET]
    if relay_to is not None:
        command += ["--relay-to", relay_to.api_url, "--slack-token", relay_to.token]
    return command


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    base_url: str
    log: Path

    def peak_rss_mib(self) -> float | None:
        """The process's resident-set high-water mark (Linux's VmHWM); None elsewhere."""
        return _proc_status_mib(self.process.pid, "VmHWM")

    def rss_mib(self) -> float | None:
        return _proc_status_mib(self.process.pid, "VmRSS")

    def callback_url(self, token: str) -> str:
        return f"{self.base_url}/tavus/callbacks/{token}"


def _proc_status_mib(pid: int, field: str) -> float | None:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024  # the kernel counts kB
    return None


def mib(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} MiB"


@contextlib.asynccontextmanager
async def serving(
    name: str,
    command: list[str],
    env: dict[str, str],
    *,
    port: int,
    log: Path,
    cpus: Cpus | None,
) -> AsyncIterator[Server]:
    """Starts a server process, waits for its /healthz, and stops it with SIGTERM after."""
    process = await asyncio.to_thread(_spawn, command, env, log, cpus)
    running = Server(name=name, process=process, base_url=f"http://127.0.0.1:{port}", log=log)
    try:
        await _until_healthy(running)
        yield running
    finally:
        await _stop(running)


def _spawn(
    command: list[str], env: dict[str, str], log: Path, cpus: Cpus | None
) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=out)
    if cpus is not None:
        # The interpreter is still starting and has no other thread yet: they inherit the mask.
        os.sched_setaffinity(process.pid, cpus.server)
    return process


async def _until_healthy(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise RuntimeError(f"{server.name} exited at startup:\n{log_tail(server.log)}")
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(f"{server.base_url}/healthz") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(HEALTH_POLL_SECONDS)
    raise RuntimeError(f"{server.name} was not healthy in time:\n{log_tail(server.log)}")


async def _stop(server: Server) -> None:
    process = server.process
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        code = await asyncio.to_thread(process.wait, SHUTDOWN_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        code = await asyncio.to_thread(process.wait, SHUTDOWN_TIMEOUT_SECONDS)
    if code != 0:  # the figures stand, but the shutdown deserves a look
        tail = log_tail(server.log)
        print(f"warning: {server.name} exited with {code}:\n{tail}", file=sys.stderr)


def log_tail(log: Path) -> str:
    with contextlib.suppress(OSError):
        return log.read_text(errors="replace")[-LOG_TAIL_CHARS:]
    return "(no log)"
