"""Tavus timestamps in every shape it sends them, read without trusting them.

Seen: ISO 8601 with ``Z`` or an offset, with or without microseconds; naive
``2024-08-28 15:27:40.824457`` (UTC); RFC 1123 ``Mon, 24 Nov 2026 09:14:24 GMT``; and epoch
seconds. Anything else, or a value out of any sane range (``1e300``, NaN), reads as None.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

# Tavus started in 2020; nothing it reports happened before, or a century after.
_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC).timestamp()
_LATEST = datetime(2200, 1, 1, tzinfo=UTC).timestamp()


def parse_time(value: object) -> datetime | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    if not isinstance(value, str) or not value.strip() or len(value) > 64:
        return None
    text = value.strip()
    parsed = _iso(text) or _rfc1123(text)
    if parsed is None:
        return None
    # Naive times from Tavus are UTC.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def epoch_seconds(value: object) -> int | None:
    """Whole seconds: the same instant written two ways compares equal."""
    parsed = parse_time(value)
    return None if parsed is None else int(parsed.timestamp())


def _from_epoch(seconds: float) -> datetime | None:
    if not math.isfinite(seconds) or not _EARLIEST <= seconds <= _LATEST:
        return None
    return datetime.fromtimestamp(seconds, UTC)


def _iso(text: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return parsed if _EARLIEST <= _stamp(parsed) <= _LATEST else None


def _rfc1123(text: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if _EARLIEST <= _stamp(parsed) <= _LATEST else None


def _stamp(parsed: datetime) -> float:
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()
