"""`tavus-slack sandbox` flags become sandbox options."""

from __future__ import annotations

from typing import Any

import pytest

from bot.cli import _sandbox, build_parser, sandbox_options
from bot.sandbox import SANDBOX_STATE, SandboxState, build_app


def test_flags_reach_the_sandbox_state() -> None:
    args = build_parser().parse_args(
        [
            "sandbox",
            "--latency=0.5",
            "--joined-delay=2",
            "--time-scale=0.01",
            "--duplicate-callbacks",
            "--reorder-callbacks",
        ]
    )

    options: dict[str, Any] = sandbox_options(args)
    state = build_app(api_key="k", **options)[SANDBOX_STATE]

    assert (state.latency, state.joined_delay, state.time_scale) == (0.5, 2.0, 0.01)
    assert state.duplicate_callbacks and state.reorder_callbacks


def test_without_flags_the_sandbox_keeps_its_defaults() -> None:
    args = build_parser().parse_args(["sandbox"])

    options: dict[str, Any] = sandbox_options(args)
    state = build_app(api_key="k", **options)[SANDBOX_STATE]

    assert state.options() == SandboxState().options()


def test_a_refused_value_exits_2_before_serving(capsys: pytest.CaptureFixture[str]) -> None:
    # `_sandbox`, not `main`: main loads a developer's .env into the environment.
    assert _sandbox(build_parser().parse_args(["sandbox", "--time-scale", "0"])) == 2
    assert "invalid value for time_scale: 0.0" in capsys.readouterr().err
