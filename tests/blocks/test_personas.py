"""Persona listings and details: previews of long texts, names for ids, hostile values."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.blocks.personas import (
    EDIT_ACTION,
    NAMES_SHOWN,
    Names,
    persona_details,
    persona_line,
    preview,
)
from bot.tavus import Persona
from tests.blocks.hostile import LONG, TEXTS
from tests.fakes.blockkit import assert_valid_message

PERSONA_ID = "p5317866"


def persona(**fields: Any) -> Persona:
    return Persona.from_api({"persona_id": PERSONA_ID, "persona_name": "Life Coach", **fields})


def shown(message: tuple[str, list[Any]]) -> str:
    return json.dumps(message[1], ensure_ascii=False)


def test_details_name_what_the_persona_points_at() -> None:
    found = persona(
        persona_type="user",
        pipeline_mode="full",
        system_prompt="You coach.",
        default_replica_id="r79e1c033f",
        document_ids=["d1", "d2"],
        document_tags=["pricing"],
        objectives_id="o12345",
        guardrails_id="g12345",
        layers={
            "llm": {"model": "tavus-gpt-oss"},
            "tts": {
                "tts_engine": "cartesia",
                "external_voice_id": "v-9",
                "pronunciation_dictionary_id": "pd_abc123def456",
            },
            "stt": {"stt_engine": "tavus-auto", "hotwords": "Roey"},
            "perception": {"perception_model": "raven-1"},
            "conversational_flow": {
                "turn_detection_model": "sparrow-1",
                "turn_taking_patience": "high",
            },
        },
    )
    names = Names(
        replicas={"r79e1c033f": "Anna"},
        documents={"d1": "Pricing sheet"},
        objectives={"o12345": "greet, qualify"},
        guardrails={"g12345": "No medical advice"},
        dictionaries={"pd_abc123def456": "Brand names"},
    )

    text, blocks = persona_details(found, names)
    out = shown((text, blocks))

    for words in (
        "*Anna* `r79e1c033f`",
        "*Pricing sheet* `d1`, `d2`",
        "`pricing`",
        "*greet, qualify* `o12345`",
        "*No medical advice* `g12345`",
        "*Brand names* `pd_abc123def456`",
        "`tavus-gpt-oss`",
        "`cartesia`, voice `v-9`",
        "`tavus-auto`, hotwords `Roey`",
        "`raven-1`",
        "`sparrow-1`, patience `high`",
        "/tavus call p5317866",
    ):
        assert words in out, words
    assert_valid_message(text, blocks)
    (edit,) = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert edit["action_id"] == EDIT_ACTION and edit["value"] == PERSONA_ID


def test_a_long_prompt_shows_its_first_lines_and_its_length() -> None:
    prompt = "\n".join(f"Rule {i}: be kind." for i in range(500))

    out = shown(persona_details(persona(system_prompt=prompt), Names()))

    assert f"({len(prompt):,} characters)" in out
    assert ">Rule 0: be kind." in out
    assert "Rule 6:" not in out


def test_preview_escapes_and_quotes_every_line() -> None:
    assert preview("<!channel> & more\nsecond") == ">&lt;!channel&gt; &amp; more\n>second"
    assert preview("") == "_empty_"
    assert preview("x" * 5000).endswith("…")


def test_many_documents_are_counted_past_the_first_few() -> None:
    ids = [f"d{i}" for i in range(NAMES_SHOWN + 5)]

    out = shown(persona_details(persona(document_ids=ids), Names()))

    assert "_and 5 more_" in out
    assert f"`d{NAMES_SHOWN}`" not in out


@pytest.mark.parametrize("raw", TEXTS, ids=lambda raw: repr(raw)[:20])
def test_hostile_values_stay_escaped_and_within_limits(raw: Any) -> None:
    found = persona(
        persona_name=raw,
        system_prompt=raw,
        context=raw,
        default_replica_id=raw,
        document_ids=[raw, raw],
        document_tags=[raw],
        guardrail_ids=[raw],
        layers={"llm": {"model": raw}, "tts": {"tts_engine": raw, "external_voice_id": raw}},
    )
    names = Names(replicas={str(raw): str(raw)}, documents={str(raw): str(raw)})

    text, blocks = persona_details(found, names)

    assert_valid_message(text, blocks)
    assert "<!channel>" not in shown((text, blocks))
    assert "<https://evil|click>" not in shown((text, blocks))
    line = persona_line(found)
    assert "<!channel>" not in line and len(line) < 3000


def test_an_id_a_button_cannot_carry_gets_no_edit_button() -> None:
    text, blocks = persona_details(persona(persona_id="p" + LONG), Names())

    assert all(b["type"] != "actions" for b in blocks)
    assert_valid_message(text, blocks)


def test_a_listing_line_says_what_sets_a_persona_apart() -> None:
    line = persona_line(
        persona(persona_type="system", pipeline_mode="echo", default_replica_id="r79e1c033f")
    )

    assert line == "`p5317866` *Life Coach* · stock · echo mode · replica `r79e1c033f`"
    assert persona_line(persona()) == "`p5317866` *Life Coach*"
