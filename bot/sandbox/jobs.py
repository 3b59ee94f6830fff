"""What replica training, video generation and lip-sync share: timed progress, the error path.

A job lasts its option's seconds (`training_delay`, `video_delay`, `lipsync_delay`) in ten
even steps, so polling sees `"10/100"`, `"20/100"`... between the create and the callback.
A job on the error path stops halfway. It takes that path when an input URL contains
`fail` (or a video script contains `[fail]`), or when the resource's error option
(`replica_error`, `video_error`, `lipsync_error`) was set at creation: its text is the reason.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

PROGRESS_STEPS = 10
URL_FAIL_MARKER = "fail"
SCRIPT_FAIL_MARKER = "[fail]"
FAILING_UNTIL = 50
CDN = "https://cdn.sandbox.tavus.io"


def progress(percent: int) -> str:
    return f"{percent}/100"


def utc_now() -> datetime:
    return datetime.now(UTC)


def naive_time(moment: datetime) -> str:
    """The video pipeline's timestamps: `2024-08-28 15:27:40.824457`, no zone."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def error_for(option: str | None, default: str, *marked: bool) -> str | None:
    """The reason a new job will fail with, or None: the option's text wins over a marker."""
    if option is not None:
        return option
    return default if any(marked) else None


def url_marked(*urls: str | None) -> bool:
    return any(url is not None and URL_FAIL_MARKER in url for url in urls)


async def advance(seconds: float, on_step: Callable[[int], None], *, failing: bool) -> None:
    """Sleep through a job of `seconds`, calling `on_step(10)`, `on_step(20)`... on the way;
    a failing job stops at half time, before its `FAILING_UNTIL` step."""
    step = seconds / PROGRESS_STEPS
    until = FAILING_UNTIL if failing else 100
    for percent in range(100 // PROGRESS_STEPS, until, 100 // PROGRESS_STEPS):
        await asyncio.sleep(step)
        on_step(percent)
    await asyncio.sleep(step)
