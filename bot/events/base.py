from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from storage import OutboxDraft


class MalformedEvent(ValueError):
    """The body is not a payload this resource could have produced; nothing is stored."""


@dataclass(frozen=True)
class Interpretation:
    dedup_key: str
    event_type: str
    drafts: tuple[OutboxDraft, ...] = ()
    status: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def fingerprint(value: Mapping[str, Any]) -> str:
    """A stable short hash, for events that may legitimately happen more than once."""
    canonical = json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def reply(text: str, blocks: list[dict[str, Any]] | None = None) -> OutboxDraft:
    payload: dict[str, Any] = {"text": text}
    if blocks:
        payload["blocks"] = blocks
    return OutboxDraft(action="reply", payload=payload)


def upload(*, content: str, filename: str, title: str, comment: str | None = None) -> OutboxDraft:
    payload = {"content": content, "filename": filename, "title": title, "comment": comment}
    return OutboxDraft(action="upload", payload=payload)


REFRESH_PARENT = OutboxDraft(action="refresh_parent", payload={})
