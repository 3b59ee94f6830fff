"""Client policy in one place: timeouts, retries and backoff."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("tavus-slack")
except PackageNotFoundError:  # running from a source tree that was never installed
    VERSION = "0.0.0"

DEFAULT_BASE_URL = "https://tavusapi.com"
USER_AGENT = f"tavus-slack/{VERSION}"

DEFAULT_TIMEOUT = 30.0
DEFAULT_CONNECT_TIMEOUT = 5.0

DEFAULT_MAX_RETRIES = 3
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
# A Slack user is waiting on the other end: one call never waits longer than this, in all,
# between its attempts. A Retry-After that would take it past this is not waited out: the
# error is raised at once, so the user hears "wait" now instead of after the wait.
MAX_RETRY_WAIT = 30.0
RETRYABLE_STATUS_CODES = frozenset({408, 429})

# Keep error messages short enough for a Slack ephemeral message.
MAX_ERROR_TEXT = 200
