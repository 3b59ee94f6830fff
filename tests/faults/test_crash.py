"""Killed (-9) or stopped (SIGTERM) mid-burst, restarted, every callback sent again: each
accepted callback's messages are in Slack exactly once, in order in their thread."""

from __future__ import annotations

import signal
from pathlib import Path

from tests.faults import burst
from tests.faults.crash import crash_and_recover

# Well into the burst: threads done, threads half-sent, threads not started.
HALT_AFTER = 200


async def test_kill_9_mid_burst_loses_nothing_and_posts_nothing_twice(tmp_path: Path) -> None:
    run = await crash_and_recover(tmp_path, stop_with=signal.SIGKILL, halt_after=HALT_AFTER)

    assert run.exit_code == -signal.SIGKILL
    assert HALT_AFTER <= run.accepted_before < burst.CALLBACKS
    assert run.left_in_outbox > 0, "the kill came after everything was delivered"
    assert (run.accepted_after, run.refused_after) == (burst.CALLBACKS, 0)
    assert run.report.expected == run.report.delivered > 0
    run.report.assert_exactly_once_in_order()


async def test_sigterm_mid_burst_delivers_after_restart_what_it_accepted(tmp_path: Path) -> None:
    run = await crash_and_recover(tmp_path, stop_with=signal.SIGTERM, halt_after=HALT_AFTER)

    assert run.exit_code == 0
    assert HALT_AFTER <= run.accepted_before < burst.CALLBACKS
    assert run.left_in_outbox > 0, "the stop came after everything was delivered"
    assert (run.accepted_after, run.refused_after) == (burst.CALLBACKS, 0)
    assert run.report.expected == run.report.delivered > 0
    run.report.assert_exactly_once_in_order()
