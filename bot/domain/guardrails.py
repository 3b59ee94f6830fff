"""Guardrails: named sets of limits a persona keeps to, and what a form accepts.

Like objectives, a set is active once created; a guardrail triggers in a call, and the
trigger is posted in that call's thread as a warning.
"""

from __future__ import annotations

import re

from bot.domain import conversations
from bot.domain.lifecycle import Lifecycle
from bot.tavus import models

KIND = "guardrail"
# The set's id; trigger callbacks name the conversation and the guardrail, not the set.
ID_KEY = "guardrails_id"

ACTIVE = "active"
DELETED = "deleted"
LIFECYCLE = Lifecycle.of(ACTIVE, DELETED)

TRIGGERED = conversations.GUARDRAIL_TRIGGERED  # may happen several times in one call
UNKNOWN = "guardrail.unknown"

MODALITIES = models.MODALITIES  # the first is the default

# tavus-notes.md: a name is at most 100 letters, digits or underscores; a prompt 1,000.
NAME_PATTERN = re.compile(r"[A-Za-z0-9_]+")
NAME_MAX = 100
PROMPT_MAX = 1000
SET_NAME_MAX = 200
MAX_GUARDRAILS = 15  # four modal blocks each, within Slack's 100
