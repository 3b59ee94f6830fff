"""Per-channel pacing: Slack's short bursts allowed, about a post a second sustained.

Each channel has its own bucket, so a busy or rate-limited channel delays only itself.
A 429 closes one channel until its Retry-After has passed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

# Slack allows about one message per second per channel, with short bursts over it.
BURST = 3
INTERVAL_SECONDS = 1.0


@dataclass
class _Bucket:
    tokens: float
    updated: float
    closed_until: float = 0.0


class Pacer:
    def __init__(
        self,
        *,
        burst: int | None = None,
        interval: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._burst = BURST if burst is None else burst
        self._interval = INTERVAL_SECONDS if interval is None else interval
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def wait_for(self, channel: str) -> float:
        """Seconds until ``channel`` may take a post; 0 when it may now."""
        bucket = self._refill(channel)
        closed = max(0.0, bucket.closed_until - self._clock())
        if closed or self._interval <= 0:
            return closed
        return 0.0 if bucket.tokens >= 1 else (1 - bucket.tokens) * self._interval

    def take(self, channel: str) -> None:
        bucket = self._refill(channel)
        bucket.tokens = max(0.0, bucket.tokens - 1)

    def close(self, channel: str, seconds: float) -> None:
        """Slack said 429: nothing goes to this channel for ``seconds``."""
        bucket = self._refill(channel)
        bucket.closed_until = max(bucket.closed_until, self._clock() + seconds)
        bucket.tokens = 0.0

    def closed(self) -> dict[str, float]:
        """Channels closed by a 429, with the seconds left."""
        now = self._clock()
        return {c: b.closed_until - now for c, b in self._buckets.items() if b.closed_until > now}

    def _refill(self, channel: str) -> _Bucket:
        now = self._clock()
        bucket = self._buckets.get(channel)
        if bucket is None:
            bucket = self._buckets[channel] = _Bucket(tokens=float(self._burst), updated=now)
        elif self._interval > 0:
            gained = (now - bucket.updated) / self._interval
            bucket.tokens = min(float(self._burst), bucket.tokens + gained)
        else:
            bucket.tokens = float(self._burst)
        bucket.updated = now
        self._forget_idle(now)
        return bucket

    def _forget_idle(self, now: float) -> None:
        """Full, open buckets carry no state: drop them so memory follows active channels."""
        if len(self._buckets) < 1024:
            return
        for channel, bucket in list(self._buckets.items()):
            if bucket.tokens >= self._burst and bucket.closed_until <= now:
                del self._buckets[channel]
