"""The timed steps and error choice every sandbox job shares."""

from __future__ import annotations

from bot.sandbox.jobs import advance, error_for, naive_time, url_marked
from bot.sandbox.jobs import utc_now as _now


async def test_a_job_steps_through_every_tenth_before_it_ends() -> None:
    steps: list[int] = []

    await advance(0, steps.append, failing=False)

    assert steps == [10, 20, 30, 40, 50, 60, 70, 80, 90]


async def test_a_failing_job_stops_halfway() -> None:
    steps: list[int] = []

    await advance(0, steps.append, failing=True)

    assert steps == [10, 20, 30, 40]


def test_the_error_option_wins_over_a_marker_and_a_marker_uses_the_default() -> None:
    assert error_for("Out of GPUs", "default", True) == "Out of GPUs"
    assert error_for("Out of GPUs", "default", False) == "Out of GPUs"
    assert error_for(None, "default", False, True) == "default"
    assert error_for(None, "default", False, False) is None


def test_only_urls_containing_fail_are_marked() -> None:
    assert url_marked(None, "https://bucket.example/will-fail.mp4")
    assert not url_marked(None, "https://bucket.example/fine.mp4")


def test_naive_time_has_no_zone_and_microseconds() -> None:
    stamp = naive_time(_now().replace(year=2024, month=8, day=28, hour=15, minute=27, second=40))

    assert stamp.startswith("2024-08-28 15:27:40.")
    assert len(stamp) == len("2024-08-28 15:27:40.824457")
