from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.times import epoch_seconds, parse_time

MOMENT = datetime(2025, 7, 11, 6, 48, 37, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    [
        "2025-07-11T06:48:37.564961Z",
        "2025-07-11T06:48:37Z",
        "2025-07-11T06:48:37+00:00",
        "2025-07-11 06:48:37.564961",  # naive: UTC
        "2025-07-11 06:48:37",
        "2025-07-11T08:48:37+02:00",
        "Fri, 11 Jul 2025 06:48:37 GMT",  # RFC 1123, as in video create answers
        MOMENT.timestamp(),
        int(MOMENT.timestamp()),
    ],
)
def test_every_shape_tavus_sends_is_the_same_moment(value: Any) -> None:
    assert epoch_seconds(value) == int(MOMENT.timestamp())
    parsed = parse_time(value)
    assert parsed is not None and parsed.tzinfo is not None


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "soon",
        "2025-13-40",
        1e300,
        float("nan"),
        float("inf"),
        -5,
        True,
        [1],
        {"a": 1},
        "x" * 10_000,
        "9999-12-31T23:59:59Z",
    ],
)
def test_nonsense_reads_as_none(value: Any) -> None:
    assert parse_time(value) is None
    assert epoch_seconds(value) is None
