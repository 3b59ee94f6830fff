"""The sandbox's tunable options: names, allowed values, and the check both setters share.

Every option is a `SandboxState` field of the same name. `build_app(**options)` sets them at
start, `SandboxState.configure(...)` and `PATCH /_sandbox/settings` change them while running;
all three go through `check_options`, so a bad value is refused the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

SHUTDOWN_KEYS = ("shutdown_reason", "reason")
PERCEPTION_UNAVAILABLE_REASONS = ("no_vision_history", "empty_summary", "summary_error")
POST_CALL_STATUSES = ("success", "failed")
GET_ONE_SHAPES = ("object", "list")
DOCUMENT_ID_FIELDS = ("document_id", "uuid")
DOCUMENT_ERRORS = (
    "file_download_failed",
    "file_format_unsupported",
    "file_size_too_large",
    "file_empty",
    "invalid_file_url",
    "document_processing_failed",
    "website_processing_failed",
    "chunking_failed",
    "embedding_failed",
    "vector_store_failed",
    "contact_support",
)
"""The error codes a document's `error_message` may hold, as the spec lists them."""
TIMESTAMP_STYLES: dict[str, Callable[[datetime], str]] = {
    # Verbose GET never formats like the callbacks (`...T06:48:37.564961Z`) do.
    "seconds": lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
    "space": lambda moment: moment.strftime("%Y-%m-%d %H:%M:%S.%f"),
    "offset": lambda moment: moment.isoformat(timespec="microseconds"),
}


_EXPECTED: dict[Callable[[Any], bool], str] = {}  # what each check accepts, in words


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _seconds(value: Any) -> bool:
    return _number(value) and value >= 0


def _optional_seconds(value: Any) -> bool:
    return value is None or _seconds(value)


def _positive(value: Any) -> bool:
    return _number(value) and value > 0


def _flag(value: Any) -> bool:
    return isinstance(value, bool)


def _count(value: Any) -> bool:
    return type(value) is int and value >= 0


def _optional_text(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() != "")


def _optional_count(value: Any) -> bool:
    return value is None or _count(value)


def _one_of(*choices: Any) -> Callable[[Any], bool]:
    def check(value: Any) -> bool:
        return value in choices

    _EXPECTED[check] = "one of " + ", ".join("null" if c is None else repr(c) for c in choices)
    return check


def _first_page(value: Any) -> bool:
    return type(value) is int and value in (0, 1)


def _post_call_actions(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(action, dict)
        and isinstance(action.get("tool_name"), str)
        and action.get("status") in POST_CALL_STATUSES
        for action in value
    )


_EXPECTED.update(
    {
        _seconds: "a number of seconds, 0 or more",
        _optional_seconds: "a number of seconds, 0 or more, or null",
        _positive: "a number above 0",
        _flag: "true or false",
        _count: "a whole number, 0 or more",
        _optional_text: "a text, or null",
        _optional_count: "a whole number, 0 or more, or null",
        _first_page: "0 or 1",
        _post_call_actions: "a list of {tool_name, status: success or failed}",
    }
)

OPTION_CHECKS: dict[str, Callable[[Any], bool]] = {
    "latency": _seconds,
    "joined_delay": _seconds,
    "participant_delay": _optional_seconds,
    "training_delay": _seconds,
    "video_delay": _seconds,
    "lipsync_delay": _seconds,
    "time_scale": _positive,
    "max_duration_default": _optional_seconds,
    "participant_absent_default": _positive,
    "participant_left_default": _positive,
    "max_concurrent": _count,
    "pal_joined": _flag,
    "shutdown_key": _one_of(*SHUTDOWN_KEYS),
    "reached_suffix": _flag,
    "perception_unavailable": _one_of(None, *PERCEPTION_UNAVAILABLE_REASONS),
    "recordings": _count,
    "recording_copy_failed": _flag,
    "post_call_actions": _post_call_actions,
    "verbose_timestamps": _one_of(*TIMESTAMP_STYLES),
    "replica_error": _optional_text,
    "video_error": _optional_text,
    "lipsync_error": _optional_text,
    # The videos spec counts pages from 0, the docs page from 1: let tests try both.
    "video_first_page": _first_page,
    "duplicate_callbacks": _flag,
    "reorder_callbacks": _flag,
    # GET of one objectives or guardrails set: {"data": [{...}]} or the spec's {"data": {...}}.
    "objectives_get_shape": _one_of(*GET_ONE_SHAPES),
    "guardrails_get_shape": _one_of(*GET_ONE_SHAPES),
    "objective_delay": _optional_seconds,
    "objectives_completed": _optional_count,
    "guardrail_delay": _optional_seconds,
    "guardrail_trigger": _optional_text,
    "document_delay": _seconds,
    "document_error": _one_of(None, *DOCUMENT_ERRORS),
    "document_id_field": _one_of(*DOCUMENT_ID_FIELDS),
    "recrawl_cooldown": _seconds,
    "crawl_document_limit": _count,
    "record_requests": _flag,
}


def check_options(options: Mapping[str, Any]) -> None:
    """Raise ValueError naming the first unknown option or refused value."""
    for name, value in options.items():
        check = OPTION_CHECKS.get(name)
        if check is None:
            raise ValueError(f"unknown sandbox option: {name}")
        if not check(value):
            expected = _EXPECTED.get(check)
            words = f" (expected {expected})" if expected else ""
            raise ValueError(f"invalid value for {name}: {value!r}{words}")
