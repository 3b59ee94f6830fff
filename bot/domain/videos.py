"""Videos: the statuses a generated video goes through, and what Tavus accepts for one."""

from __future__ import annotations

from bot.domain.lifecycle import Lifecycle

KIND = "video"
ID_KEY = "video_id"  # the key naming a video in callback bodies

QUEUED = "queued"
GENERATING = "generating"  # with `generation_progress` like "40/100"
READY = "ready"
ERROR = "error"
DELETED = "deleted"
LIFECYCLE = Lifecycle.of(QUEUED, GENERATING, (READY, ERROR), DELETED)
# Nothing follows these: Tavus calls back on ready and error only, and a deleted video is gone.
FINAL = frozenset({READY, ERROR, DELETED})

# Event types are the status that was reported ("video.ready"); bodies without a status,
# or with one Tavus added since, are stored under these.
EVENT_PREFIX = "video."
UNKNOWN = "video.unknown"

# tavus-notes.md: `audio_url` must be .wav or .mp3; a watermark is a png or jpeg image.
AUDIO_EXTENSIONS = (".wav", ".mp3")
WATERMARK_EXTENSIONS = (".png", ".jpg", ".jpeg")
