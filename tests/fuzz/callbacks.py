"""Callback bodies per resource kind: what Tavus (or anyone holding a token) could send.

The kinds, their statuses and event types, and the keys their interpreters read are found
in ``bot.kinds`` and the interpreters' own modules, so a new kind or status is fuzzed
without a change to the properties.
"""

from __future__ import annotations

import functools
import importlib
import re
from types import ModuleType
from typing import Any

from hypothesis import strategies as st

from bot.events import base as events_base
from bot.events import by_status
from bot.kinds import ResourceKind
from storage import Resource
from tests.fuzz.strategies import any_text, ids_of, json_values, keys_read_by, words_in

ABSENT = object()  # a key left out of the body
_EVENT_TYPE = re.compile(r"[a-z_]+(\.[a-z_]+)+")
_STATUS = re.compile(r"[a-z_]+")


@functools.cache
def _modules(kind: ResourceKind) -> tuple[ModuleType, ModuleType, ModuleType]:
    """The kind's interpreter, its domain (statuses, event types) and its card's builder."""
    events = importlib.import_module(kind.interpret.__module__)
    domain = getattr(events, "domain", None) or importlib.import_module(
        f"bot.domain.{kind.noun.plural}"
    )
    blocks = importlib.import_module(kind.render_card.__module__)
    return events, domain, blocks


def _words(kind: ResourceKind) -> list[str]:
    events, domain, _ = _modules(kind)
    return words_in(domain, events)


def _statuses(kind: ResourceKind) -> list[str]:
    return sorted({*kind.lifecycle.statuses, *filter(_STATUS.fullmatch, _words(kind))})


@functools.cache
def _values(kind: ResourceKind) -> st.SearchStrategy[Any]:
    events, _, _ = _modules(kind)
    return json_values(keys_read_by(events, by_status, events_base), _words(kind))


def dispatch(kind: ResourceKind) -> tuple[str, list[str]]:
    """What the interpreter branches on (the documented ``event_type``, else ``status``)
    and the values it knows for it."""
    events, _, _ = _modules(kind)
    if "event_type" in keys_read_by(events):
        return "event_type", list(filter(_EVENT_TYPE.fullmatch, _words(kind)))
    return "status", _statuses(kind)


@st.composite
def bodies(draw: st.DrawFn, kind: ResourceKind, tavus_id: str | None) -> dict[str, Any]:
    """A body for the resource ``tavus_id``: naming it, another one, junk, or nothing."""
    body = draw(_unnamed_bodies(kind))
    naming = draw(st.sampled_from(["self", "self", "other", "junk", "absent"]))
    if naming == "self" and tavus_id is not None:
        body[kind.id_key] = tavus_id
    elif naming == "other":
        body[kind.id_key] = draw(ids_of(kind.noun))
    elif naming == "junk":
        body[kind.id_key] = draw(_values(kind))
    return body


@st.composite
def cases(draw: st.DrawFn, kind: ResourceKind) -> tuple[Resource, dict[str, Any]]:
    """A stored resource of ``kind`` in any state, and a body sent to its callback URL."""
    resource = draw(_resources(kind))
    return resource, draw(bodies(kind, resource.tavus_id))


@functools.cache
def _unnamed_bodies(kind: ResourceKind) -> st.SearchStrategy[dict[str, Any]]:
    """Each key the interpreter reads, present or not; what it branches on mostly a word it
    knows, so that every branch is reached."""
    events, _, _ = _modules(kind)
    keys = keys_read_by(events, by_status, events_base)
    values = _values(kind)
    statuses = st.sampled_from(_statuses(kind))
    known = st.sampled_from(_words(kind))
    special = {
        "status": st.one_of(statuses, statuses, statuses.map(str.upper), known, values),
        "event_type": st.one_of(known, values),
        "properties": st.dictionaries(st.sampled_from(keys), values, max_size=6) | values,
    }
    chosen = {key: special[key] | st.just(ABSENT) for key in special if key in keys}
    optional = {key: values for key in keys if key not in special}
    return st.builds(
        lambda junk, named, picked: {
            **junk,
            **named,
            **{key: value for key, value in picked.items() if value is not ABSENT},
        },
        st.dictionaries(st.text(max_size=12), values, max_size=3),
        st.fixed_dictionaries({}, optional=optional),
        st.fixed_dictionaries(chosen),
    )


@functools.cache
def _resources(kind: ResourceKind) -> st.SearchStrategy[Resource]:
    """Its details keyed by what its card and interpreter read, with hostile values."""
    events, _, blocks = _modules(kind)
    words = _words(kind)
    detail_keys = keys_read_by(blocks, events)
    details = st.dictionaries(
        st.sampled_from(detail_keys) | st.text(max_size=12),
        json_values(detail_keys, words),
        max_size=5,
    )
    return st.builds(
        Resource,
        id=st.just(1),
        kind=st.just(kind.name),
        tavus_id=st.none() | ids_of(kind.noun),
        team_id=st.just("T0001"),
        owner_user_id=st.just("U0123ABCD"),
        channel_id=st.just("C0123"),
        message_ts=st.just("1700000000.000100"),
        callback_token=st.just("t" * 43),
        status=st.none() | st.sampled_from(_statuses(kind)) | st.sampled_from(words),
        name=st.none() | any_text,
        details=details,
        finished=st.booleans(),
        created_at=st.just(0.0),
        updated_at=st.just(0.0),
    )
