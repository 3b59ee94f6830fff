"""Objectives: sets of goals a persona steers its calls towards, and what a form accepts.

A set has no lifecycle worth polling: it is active once created. What happens to it happens
in calls (an objective completes in a conversation), and is posted in that call's thread.
"""

from __future__ import annotations

from bot.domain import conversations
from bot.domain.lifecycle import Lifecycle
from bot.tavus import models

KIND = "objective"
# The set's id; completion callbacks name only the conversation, so this is rarely there.
ID_KEY = "objectives_id"

ACTIVE = "active"
DELETED = "deleted"
LIFECYCLE = Lifecycle.of(ACTIVE, DELETED)

COMPLETED = conversations.OBJECTIVE_COMPLETED  # the call's event: one per objective per call
UNKNOWN = "objective.unknown"

CONFIRMATION_MODES = models.CONFIRMATION_MODES  # the first is the default
MODALITIES = models.MODALITIES

# What the form takes (Tavus documents no limits of its own but "no spaces" in a name).
MAX_OBJECTIVES = 10  # eight modal blocks each, within Slack's 100
NAME_MAX = 100
PROMPT_MAX = 3000  # Slack's text field holds 3,000
MAX_OUTPUT_VARIABLES = 20
VARIABLE_MAX = 100
CONDITION_MAX = 500
