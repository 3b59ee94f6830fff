"""The shared pickers' loaders and answers, over a Tavus answering at the HTTP boundary."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from bot.blocks import pickers as ids
from bot.choices import ChoiceCache
from bot.tavus import TavusClient
from handlers.shared import pickers
from tests.tavus.mock_api import API_KEY

Routes = dict[str, Any]


def answering(routes: Routes) -> httpx.MockTransport:
    """GETs answer ``routes[path]``; a status code alone is an error."""

    def handler(request: httpx.Request) -> httpx.Response:
        answer = routes[request.url.path]
        if isinstance(answer, int):
            return httpx.Response(answer, json={"error": "Tavus is down"})
        return httpx.Response(200, json=answer)

    return httpx.MockTransport(handler)


@pytest.fixture
async def make_tavus() -> AsyncIterator[Callable[[Routes], TavusClient]]:
    opened: list[TavusClient] = []

    def make(routes: Routes) -> TavusClient:
        opened.append(TavusClient(api_key=API_KEY, transport=answering(routes), max_retries=0))
        return opened[-1]

    yield make
    for client in opened:
        await client.aclose()


def page(*rows: dict[str, Any]) -> dict[str, Any]:
    return {"data": list(rows), "total_count": len(rows)}


async def test_objective_rows_of_one_set_are_one_choice_named_by_its_objectives(
    make_tavus: Callable[[Routes], TavusClient],
) -> None:
    tavus = make_tavus(
        {
            "/v2/objectives": page(
                {"objectives_id": "o1", "objective_name": "greet", "objective_prompt": "Hi"},
                {"objectives_id": "o1", "objective_name": "qualify", "objective_prompt": "Ask"},
                {"objectives_id": "o2", "data": [{"objective_name": "close"}]},
            )
        }
    )

    assert await pickers.load_objectives(tavus) == [("greet, qualify", "o1"), ("close", "o2")]


async def test_only_ready_replicas_are_offered(make_tavus: Callable[[Routes], TavusClient]) -> None:
    tavus = make_tavus(
        {
            "/v2/replicas": page(
                {"replica_id": "r1", "replica_name": "Anna", "status": "completed"},
                {"replica_id": "r2", "replica_name": "New", "status": "started"},
                {"replica_id": "r3", "replica_name": "Broken", "status": "error"},
            )
        }
    )

    assert await pickers.load_ready_replicas(tavus) == [("Anna", "r1")]


async def test_guardrail_sets_listed_twice_are_offered_once(
    make_tavus: Callable[[Routes], TavusClient],
) -> None:
    tavus = make_tavus(
        {
            "/v2/guardrails": page(
                {"guardrails_id": "g1", "name": "Safety", "data": [{"guardrail_name": "a"}]},
                {"guardrails_id": "g1", "guardrail_name": "b"},
            )
        }
    )

    assert await pickers.load_guardrails(tavus) == [("Safety", "g1")]


class Acked:
    def __init__(self) -> None:
        self.options: list[dict[str, Any]] | None = None

    async def __call__(self, **kwargs: Any) -> None:
        self.options = kwargs["options"]


class FakeServices:
    """What the picker handlers use of Services: the Tavus client and the choice cache."""

    def __init__(self, tavus: TavusClient) -> None:
        self.tavus = tavus
        self.choices = ChoiceCache()


async def test_a_failing_tavus_gets_a_note_that_cannot_be_submitted(
    make_tavus: Callable[[Routes], TavusClient],
) -> None:
    services: Any = FakeServices(make_tavus({"/v2/documents": 503}))
    ack = Acked()

    await pickers.handle_picker_options(
        ack, {"action_id": ids.DOCUMENT_PICKER, "value": "x"}, services
    )

    assert ack.options is not None
    (note,) = ack.options
    assert note["value"] == ids.UNAVAILABLE
    assert note["text"]["text"].startswith("Tavus error: Tavus says: Tavus is down (503)")
    assert await pickers.names_of(services, ids.DOCUMENT_PICKER) == {}


async def test_typing_narrows_by_name_or_id_and_an_unknown_picker_gets_nothing(
    make_tavus: Callable[[Routes], TavusClient],
) -> None:
    rows = [
        {"pronunciation_dictionary_id": "pd_brand0001", "name": "Brand names"},
        {"pronunciation_dictionary_id": "pd_drugs0002", "name": "Drug names"},
    ]
    tavus = make_tavus({"/v2/pronunciation-dictionaries": {**page(*rows), "page": 0}})
    services: Any = FakeServices(tavus)
    ack = Acked()

    await pickers.answer_for(ack, services, ids.DICTIONARY_PICKER, "BRAND")
    assert [o["value"] for o in ack.options or []] == ["pd_brand0001"]
    await pickers.answer_for(ack, services, ids.DICTIONARY_PICKER, "drugs0")
    assert [o["value"] for o in ack.options or []] == ["pd_drugs0002"]
    assert await pickers.names_of(services, ids.DICTIONARY_PICKER) == {
        "pd_brand0001": "Brand names",
        "pd_drugs0002": "Drug names",
    }

    await pickers.answer_for(ack, services, "no_such_picker", "")
    assert ack.options == []


def test_every_picker_has_a_loader() -> None:
    assert set(pickers.LOADERS) == set(ids.PICKERS)
