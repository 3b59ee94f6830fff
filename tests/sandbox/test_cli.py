"""`tavus-slack sandbox` flags become sandbox options."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

import pytest

from bot.cli import _sandbox, build_parser, load_env_file, sandbox_options
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


def test_a_port_in_use_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = _sandbox(build_parser().parse_args(["sandbox", "--port", str(port)]))

    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"tavus-slack: cannot listen on 127.0.0.1:{port}: ")
    assert "Traceback" not in err and len(err.splitlines()) == 1


@pytest.mark.parametrize("port", ["0", "99999", "http"])
def test_a_port_out_of_range_is_a_usage_error(port: str) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["sandbox", "--port", port])
    assert exited.value.code == 2


def test_the_env_file_is_the_working_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("TAVUS_SLACK_TEST_MARK=from-here\n")
    inside = tmp_path / "deeper"
    inside.mkdir()
    monkeypatch.chdir(inside)  # the nearest .env above the working folder counts too
    monkeypatch.delenv("TAVUS_SLACK_TEST_MARK", raising=False)

    assert load_env_file() == str(tmp_path / ".env")
    assert os.environ.pop("TAVUS_SLACK_TEST_MARK") == "from-here"
