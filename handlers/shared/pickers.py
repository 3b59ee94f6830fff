"""Type-ahead pickers for Tavus resources, answered within Slack's 3 s deadline.

One options handler serves every picker action id of ``bot.blocks.pickers``: each id has a
loader over the Tavus list of its kind (``LOADERS``), registered in one place
(``register_pickers``), so a family's modal only names the action id.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any, TypeVar

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck

from bot.blocks import kit
from bot.blocks import pickers as ids
from bot.blocks.pickers import UNAVAILABLE, cache_key, option_label
from bot.choices import Choice, ChoiceCache, Loader
from bot.services import Services
from bot.tavus import TavusClient, TavusError, Voice

__all__ = [
    "LOADERS",
    "MAX_CHOICES",
    "PICKER_DEADLINE_SECONDS",
    "UNAVAILABLE",
    "answer_for",
    "answer_picker",
    "handle_picker_options",
    "matching_options",
    "names_of",
    "register_pickers",
    "voice_label",
]

T = TypeVar("T")

# Slack drops an options answer after 3 s; leave room for the round trip.
PICKER_DEADLINE_SECONDS = 2.5
MAX_OPTIONS = 100
# A picker lists at most this many of a kind (Slack shows 100 at a time: typing narrows it).
MAX_CHOICES = 2000


def matching_options(choices: Iterable[Choice], typed: str) -> list[dict[str, Any]]:
    """Options whose name or id contains what the user typed, at most Slack's 100."""
    typed = typed.strip().lower()
    found = [
        kit.option(option_label(name, tavus_id), tavus_id)
        for name, tavus_id in choices
        if len(tavus_id) <= kit.OPTION_VALUE_MAX
        and (typed in (name or "").lower() or typed in tavus_id.lower())
    ]
    return found[:MAX_OPTIONS]


async def answer_picker(
    ack: AsyncAck, *, cache: ChoiceCache, key: str, load: Loader, typed: str
) -> None:
    """A slow or failing Tavus gets a note the user can read, never silence."""
    try:
        choices = await asyncio.wait_for(cache.get(key, load), PICKER_DEADLINE_SECONDS)
    except TavusError as exc:
        await ack(options=[kit.option(f"Tavus error: {exc.user_message}", UNAVAILABLE)])
        return
    except TimeoutError:
        await ack(options=[kit.option("Tavus is slow to answer: type to try again", UNAVAILABLE)])
        return
    await ack(options=matching_options(choices, typed))


async def _first(items: AsyncIterator[T], limit: int = MAX_CHOICES) -> list[T]:
    found: list[T] = []
    async for item in items:
        found.append(item)
        if len(found) >= limit:
            break
    return found


async def load_personas(tavus: TavusClient) -> list[Choice]:
    return [(p.persona_name, p.persona_id) for p in await _first(tavus.personas.iter_all())]


async def load_ready_replicas(tavus: TavusClient) -> list[Choice]:
    replicas = await _first(tavus.replicas.iter_all())
    return [(r.replica_name, r.replica_id) for r in replicas if r.is_ready]


def voice_label(voice: Voice) -> str | None:
    """ "anna: female, english", shown beside the slug; a voice without tags is its slug."""
    return f"{voice.voice_name}: {', '.join(voice.tags)}" if voice.tags else None


async def load_voices(tavus: TavusClient) -> list[Choice]:
    return [(voice_label(v), v.voice_name) for v in await _first(tavus.voices.iter_all())]


async def load_documents(tavus: TavusClient) -> list[Choice]:
    documents = await _first(tavus.documents.iter_all())
    return [(d.document_name, d.document_id) for d in documents]


async def load_objectives(tavus: TavusClient) -> list[Choice]:
    """A set has no name: it is shown by its objectives' names. List rows may be one per
    objective, each carrying its set's id, so rows of one set are merged."""
    names: dict[str, list[str]] = {}
    for found in await _first(tavus.objectives.iter_all()):
        listed = names.setdefault(found.objectives_id, [])
        listed += [o.objective_name for o in found.objectives if o.objective_name not in listed]
    return [(", ".join(filter(None, n)) or None, set_id) for set_id, n in names.items()]


async def load_guardrails(tavus: TavusClient) -> list[Choice]:
    names: dict[str, str | None] = {}
    for found in await _first(tavus.guardrails.iter_all()):
        names.setdefault(found.guardrails_id, found.name)
    return [(name, set_id) for set_id, name in names.items()]


async def load_dictionaries(tavus: TavusClient) -> list[Choice]:
    dictionaries = await _first(tavus.dictionaries.iter_all())
    return [(d.name, d.dictionary_id) for d in dictionaries]


LOADERS: dict[str, Callable[[TavusClient], Awaitable[list[Choice]]]] = {
    ids.PERSONA_PICKER: load_personas,
    ids.REPLICA_PICKER: load_ready_replicas,
    ids.VOICE_PICKER: load_voices,
    ids.DOCUMENT_PICKER: load_documents,
    ids.OBJECTIVES_PICKER: load_objectives,
    ids.GUARDRAILS_PICKER: load_guardrails,
    ids.DICTIONARY_PICKER: load_dictionaries,
}


def _loader(services: Services, action_id: str) -> Loader:
    load_kind = LOADERS[action_id]

    async def load() -> list[Choice]:
        return await load_kind(services.tavus)

    return load


async def answer_for(ack: AsyncAck, services: Services, action_id: str, typed: str) -> None:
    """The options of the picker ``action_id`` matching ``typed``."""
    if action_id not in LOADERS:
        await ack(options=[])
        return
    key, load = cache_key(action_id), _loader(services, action_id)
    await answer_picker(ack, cache=services.choices, key=key, load=load, typed=typed)


async def names_of(
    services: Services, action_id: str, *, within: float = PICKER_DEADLINE_SECONDS
) -> dict[str, str | None]:
    """Tavus id -> name, from the list the picker ``action_id`` offers (cached a few seconds);
    empty when Tavus is slow or failing: the ids are then shown bare."""
    load = _loader(services, action_id)
    try:
        choices = await asyncio.wait_for(services.choices.get(cache_key(action_id), load), within)
    except (TavusError, TimeoutError):
        return {}
    return {tavus_id: name for name, tavus_id in choices}


async def handle_picker_options(ack: AsyncAck, body: dict[str, Any], services: Services) -> None:
    """Every picker's type-ahead: Slack names the picker in `action_id`."""
    await answer_for(ack, services, str(body.get("action_id") or ""), str(body.get("value") or ""))


def register_pickers(app: AsyncApp) -> None:
    for action_id in LOADERS:
        app.options(action_id)(handle_picker_options)
