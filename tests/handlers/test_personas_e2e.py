"""Personas from Slack, against the sandbox: created from the form, shown, edited (the changes
previewed, then applied), used by `/tavus call`, deleted. A JSON Patch Tavus would refuse is
refused in the form, with a suggestion, before any request reaches Tavus.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.blocks import persona_modal as modal
from bot.blocks import pickers
from bot.blocks.listing import DELETE_ACTION
from bot.blocks.personas import EDIT_ACTION
from bot.sandbox import SEED_PERSONA_ID, SEED_REPLICA_ID
from tests.fakes.blockkit import assert_valid_view
from tests.fakes.signing import block_action_payload, view_submission_payload
from tests.handlers.persona_forms import submitted
from tests.harness import ADMIN_ID, Harness, Sandbox, app_world

OWNER = "U123"
STRANGER = "U999"
PROMPT = "You train sales reps. Never say <!channel>."


@pytest.fixture(params=["callbacks", "polling"])
async def world(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[Harness, Sandbox]]:
    async with app_world(
        tmp_path, called_back=request.param == "callbacks", sandbox_options={"joined_delay": 0.05}
    ) as (h, sandbox):
        yield h, sandbox


def patches(sandbox: Sandbox) -> list[Any]:
    return [r for r in sandbox.state.requests if r.method == "PATCH"]


async def latest_view(running: Harness, method: str, words: str) -> tuple[str, dict[str, Any]]:
    (call, *_) = reversed(
        await running.slack.wait_for(
            method, predicate=lambda c: words in json.dumps(c.args["view"], ensure_ascii=False)
        )
    )
    view = call.args["view"]
    assert_valid_view(view)
    return str(call.args.get("view_id") or opened_id(running)), view


def opened_id(running: Harness) -> str:
    """The id the fake Slack gave the last view it opened (it numbers them in turn)."""
    opened = [
        call
        for call in running.slack.calls
        if call.method in ("views.open", "views.publish") and not call.failed
    ]
    return f"V{len(opened):08d}"


async def submit(
    running: Harness,
    callback_id: str,
    view_id: str,
    view: dict[str, Any],
    *,
    user_id: str = OWNER,
    **changes: Any,
) -> dict[str, Any]:
    payload = view_submission_payload(
        callback_id,
        values=submitted(view, **changes),
        private_metadata=view.get("private_metadata", ""),
        view_id=view_id,
        user_id=user_id,
    )
    response = await running.interact(payload)
    assert response.status_code == 200
    answer = response.json() if response.content else {}
    if answer.get("view"):
        assert_valid_view(answer["view"])
    return answer


async def create_persona(running: Harness, sandbox: Sandbox) -> str:
    tavus = running.app.services.tavus
    document = await tavus.documents.create(
        document_url="https://example.com/pricing.pdf", document_name="Pricing", tags=["pricing"]
    )
    await running.command("persona new")
    view_id, view = await latest_view(running, "views.open", "New persona")
    answer = await submit(
        running,
        modal.NEW_CALLBACK,
        view_id,
        view,
        **{
            modal.B_NAME: "Sales trainer",
            modal.B_PROMPT: PROMPT,
            modal.B_REPLICA: SEED_REPLICA_ID,
            modal.B_DOCUMENTS: [document.document_id],
            modal.B_TAGS: "#pricing",
            modal.B_LLM: "tavus-gpt-oss",
            modal.B_PERCEPTION: "off",
            modal.B_HOTWORDS: "Roey is the person you speak with",
        },
    )
    assert answer["response_action"] == "update"
    await latest_view(running, "views.update", "Created")
    (persona,) = [p for p in sandbox.state.personas.values() if p["persona_type"] == "user"]
    assert persona["system_prompt"] == PROMPT
    assert persona["default_replica_id"] == SEED_REPLICA_ID
    assert persona["document_ids"] == [document.document_id]
    assert persona["document_tags"] == ["pricing"]
    assert persona["layers"] == {
        "llm": {"model": "tavus-gpt-oss"},
        "perception": {"perception_model": "off"},
        "stt": {"hotwords": "Roey is the person you speak with"},
    }
    return str(persona["persona_id"])


async def test_a_persona_is_created_shown_edited_and_used_for_a_call(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    persona_id = await create_persona(running, sandbox)
    stored = await running.app.services.store.get_resource(kind="persona", tavus_id=persona_id)
    assert stored is not None and stored.owner_user_id == OWNER and stored.finished

    await running.command(f"persona show {persona_id}")
    (shown,) = await running.slack.wait_for_response()
    text = json.dumps(shown["blocks"], ensure_ascii=False)
    assert "*Sales trainer*" in text
    assert "*Anna* `r79e1c033f`" in text
    assert "*Pricing* `" in text
    assert "&lt;!channel&gt;" in text

    await running.command(f"persona edit {persona_id}")
    view_id, form = await latest_view(running, "views.update", "Editing")
    typed = json.dumps([{"op": "add", "path": "/layers/tts", "value": {"tts_engine": "cartesia"}}])
    answer = await submit(
        running,
        modal.EDIT_CALLBACK,
        view_id,
        form,
        **{
            modal.B_NAME: "Senior sales trainer",
            modal.B_CONTEXT: "Quarter four",
            modal.B_LLM: "tavus-gpt-5.2",
            modal.B_PATCH: typed,
        },
    )
    assert answer["response_action"] == "update"
    preview = json.dumps(answer["view"], ensure_ascii=False)
    assert "`tavus-gpt-oss` → `tavus-gpt-5.2`" in preview
    assert "_not set_ → `Quarter four`" in preview
    assert "_not set_ → `cartesia`" in preview
    assert patches(sandbox) == []  # nothing sent before "Apply"

    applied = await submit(running, modal.APPLY_CALLBACK, view_id, answer["view"])
    assert applied["response_action"] == "update"
    await latest_view(running, "views.update", "Updated")
    persona = sandbox.state.personas[persona_id]
    assert persona["context"] == "Quarter four"
    assert persona["layers"]["llm"] == {"model": "tavus-gpt-5.2"}
    assert persona["layers"]["tts"] == {"tts_engine": "cartesia"}
    assert len(patches(sandbox)) == 1
    stored = await running.app.services.store.get_resource(kind="persona", tavus_id=persona_id)
    assert stored is not None and stored.name == "Senior sales trainer"

    await running.command(f"call {persona_id} --test")
    await running.slack.wait_for("chat.postMessage")
    (conversation,) = sandbox.state.conversations.values()
    assert conversation.persona_id == persona_id
    running.slack.assert_nothing_rejected()


async def test_a_misspelt_patch_path_is_refused_in_the_form_with_a_suggestion(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    persona_id = await create_persona(running, sandbox)
    await running.command(f"persona edit {persona_id}")
    view_id, form = await latest_view(running, "views.update", "Editing")
    sandbox.state.requests.clear()

    typo = json.dumps([{"op": "replace", "path": "/layers/llm/modle", "value": "tavus-gpt-5.2"}])
    answer = await submit(running, modal.EDIT_CALLBACK, view_id, form, **{modal.B_PATCH: typo})

    assert answer["response_action"] == "errors"
    assert answer["errors"] == {
        modal.B_PATCH: "`/layers/llm/modle` does not exist in this persona. "
        "Did you mean `/layers/llm/model`?"
    }
    assert sandbox.state.requests == []  # Tavus heard nothing

    read_only = json.dumps([{"op": "replace", "path": "/persona_id", "value": "p123456"}])
    answer = await submit(running, modal.EDIT_CALLBACK, view_id, form, **{modal.B_PATCH: read_only})
    assert "cannot be changed" in answer["errors"][modal.B_PATCH]
    unchanged = await submit(running, modal.EDIT_CALLBACK, view_id, form)
    assert unchanged["errors"] == {
        modal.B_PATCH: "Nothing would change: edit a field above, or give a JSON Patch here."
    }
    assert patches(sandbox) == []


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[tuple[Harness, Sandbox]]:
    async with app_world(tmp_path) as (h, sandbox):
        yield h, sandbox


async def open_preview(
    running: Harness, persona_id: str, **changes: Any
) -> tuple[str, dict[str, Any]]:
    await running.command(f"persona edit {persona_id}")
    view_id, form = await latest_view(running, "views.update", "Editing")
    answer = await submit(running, modal.EDIT_CALLBACK, view_id, form, **changes)
    assert answer["response_action"] == "update", answer
    return view_id, answer["view"]


async def test_a_persona_changed_since_the_preview_is_not_patched(
    running: tuple[Harness, Sandbox],
) -> None:
    harness_, sandbox = running
    persona_id = await create_persona(harness_, sandbox)
    view_id, preview = await open_preview(harness_, persona_id, **{modal.B_CONTEXT: "Mine"})
    sandbox.state.personas[persona_id]["context"] = "Someone else's"

    await submit(harness_, modal.APPLY_CALLBACK, view_id, preview)

    await latest_view(harness_, "views.update", "changed in Tavus since you reviewed")
    assert sandbox.state.personas[persona_id]["context"] == "Someone else's"
    assert patches(sandbox) == []


async def test_tavus_refusing_the_patch_is_said_in_the_modal(
    running: tuple[Harness, Sandbox],
) -> None:
    harness_, sandbox = running
    persona_id = await create_persona(harness_, sandbox)
    view_id, preview = await open_preview(harness_, persona_id, **{modal.B_CONTEXT: "Mine"})
    sandbox.state.faults.fail(
        "PATCH", f"/v2/personas/{persona_id}", 422, message="Invalid JSON patch format"
    )

    await submit(harness_, modal.APPLY_CALLBACK, view_id, preview)

    await latest_view(harness_, "views.update", "Tavus says: Invalid JSON patch format (422)")


async def test_a_long_prompt_travels_through_the_store_and_is_let_go_of(
    running: tuple[Harness, Sandbox],
) -> None:
    harness_, sandbox = running
    persona_id = await create_persona(harness_, sandbox)
    long_prompt = "Be patient and kind. " * 300
    sandbox.state.personas[persona_id]["system_prompt"] = long_prompt
    store = harness_.app.services.store

    await harness_.command(f"persona edit {persona_id}")
    view_id, form = await latest_view(harness_, "views.update", "Editing")
    assert modal.B_PROMPT not in json.dumps([b.get("block_id") for b in form["blocks"]])
    assert json.loads(form["private_metadata"]).keys() == {"kept"}
    short = "Short. " * 350
    replaced = json.dumps([{"op": "replace", "path": "/system_prompt", "value": short}])
    answer = await submit(harness_, modal.EDIT_CALLBACK, view_id, form, **{modal.B_PATCH: replaced})
    preview = answer["view"]
    sizes = f"({len(long_prompt):,} characters → {len(short):,} characters)"
    assert sizes in json.dumps(preview, ensure_ascii=False)

    await submit(harness_, modal.APPLY_CALLBACK, view_id, preview)

    await latest_view(harness_, "views.update", "Updated")
    assert sandbox.state.personas[persona_id]["system_prompt"] == short
    kept = await store.get_preferences(team_id="T0001", scope="user", scope_id=OWNER)
    assert kept == {}


async def test_only_the_creator_or_an_admin_may_edit_or_delete(
    running: tuple[Harness, Sandbox],
) -> None:
    harness_, sandbox = running
    persona_id = await create_persona(harness_, sandbox)

    await harness_.command(f"persona edit {persona_id}", user_id=STRANGER)
    await harness_.command(f"persona delete {persona_id}", user_id=STRANGER)
    await harness_.command(f"persona edit {SEED_PERSONA_ID}")
    refusals = [r["text"] for r in await harness_.slack.wait_for_response(count=3)]

    assert refusals[0] == (f"Only <@{OWNER}> (who started it) or an admin can edit this persona.")
    assert "delete this persona" in refusals[1]
    assert refusals[2].startswith(f"Only an admin can edit `{SEED_PERSONA_ID}`")
    opened = [json.dumps(call.args) for call in harness_.slack.calls_to("views.open")]
    assert not [view for view in opened if "Edit persona" in view]

    await harness_.command(f"persona edit {SEED_PERSONA_ID}", user_id=ADMIN_ID)
    await latest_view(harness_, "views.update", "Editing")


async def test_the_owner_deletes_it_after_confirming(running: tuple[Harness, Sandbox]) -> None:
    harness_, sandbox = running
    persona_id = await create_persona(harness_, sandbox)

    await harness_.command(f"persona delete {persona_id}")
    (ask,) = await harness_.slack.wait_for_response()
    (button,) = [e for b in ask["blocks"] if b["type"] == "actions" for e in b["elements"]]
    click = block_action_payload(
        DELETE_ACTION, value=button["value"], response_url=harness_.slack.response_url
    )
    await harness_.interact(click)
    await harness_.slack.wait_for_response(count=2)

    assert persona_id not in sandbox.state.personas
    stored = await harness_.app.services.store.get_resource(kind="persona", tavus_id=persona_id)
    assert stored is not None and stored.status == "deleted"


async def test_the_edit_button_under_show_opens_the_form(
    running: tuple[Harness, Sandbox],
) -> None:
    harness_, sandbox = running
    persona_id = await create_persona(harness_, sandbox)

    await harness_.interact(block_action_payload(EDIT_ACTION, value=persona_id))

    _, form = await latest_view(harness_, "views.update", "Editing")
    assert form["callback_id"] == modal.EDIT_CALLBACK


async def test_listing_filters_by_type(running: tuple[Harness, Sandbox]) -> None:
    harness_, sandbox = running
    persona_id = await create_persona(harness_, sandbox)

    await harness_.command("personas user")
    await harness_.command("personas system")
    user, system = await harness_.slack.wait_for_response(count=2)

    assert persona_id in user["text"] + json.dumps(user["blocks"])
    assert SEED_PERSONA_ID not in json.dumps(user["blocks"])
    assert SEED_PERSONA_ID in json.dumps(system["blocks"])


def suggestion(action_id: str, typed: str) -> dict[str, Any]:
    return {
        "type": "block_suggestion",
        "user": {"id": OWNER, "team_id": "T0001"},
        "team": {"id": "T0001"},
        "api_app_id": "A0001",
        "action_id": action_id,
        "block_id": "picker",
        "value": typed,
        "view": {"id": "V1", "callback_id": modal.EDIT_CALLBACK, "type": "modal"},
    }


async def test_every_picker_lists_its_kind_by_name(running: tuple[Harness, Sandbox]) -> None:
    harness_, sandbox = running
    tavus = harness_.app.services.tavus
    objectives = await tavus.objectives.create(
        [{"objective_name": "greet", "objective_prompt": "Say hello"}]
    )
    guardrails = await tavus.guardrails.create(
        name="Safety", guardrails=[{"guardrail_name": "no_advice", "guardrail_prompt": "No."}]
    )
    dictionary = await tavus.dictionaries.create(name="Brand names")
    document = await tavus.documents.create(
        document_url="https://example.com/handbook.pdf", document_name="Handbook"
    )
    expected = {
        pickers.PERSONA_PICKER: ("sales", "Sales Coach ("),
        pickers.REPLICA_PICKER: ("anna", f"Anna ({SEED_REPLICA_ID})"),
        pickers.VOICE_PICKER: ("ann", "anna: female, english (anna)"),
        pickers.DOCUMENT_PICKER: ("hand", f"Handbook ({document.document_id})"),
        pickers.OBJECTIVES_PICKER: ("", f"greet ({objectives.objectives_id})"),
        pickers.GUARDRAILS_PICKER: ("saf", f"Safety ({guardrails.guardrails_id})"),
        pickers.DICTIONARY_PICKER: ("brand", f"Brand names ({dictionary.dictionary_id})"),
    }

    for action_id, (typed, label) in expected.items():
        response = await harness_.interact(suggestion(action_id, typed))
        labels = [o["text"]["text"] for o in response.json()["options"]]
        assert any(found.startswith(label) for found in labels), (action_id, labels)


async def test_a_persona_created_from_slack_is_in_the_picker_at_once(
    running: tuple[Harness, Sandbox],
) -> None:
    harness_, sandbox = running
    before = await harness_.interact(suggestion(pickers.PERSONA_PICKER, "trainer"))
    assert before.json()["options"] == []

    persona_id = await create_persona(harness_, sandbox)

    after = await harness_.interact(suggestion(pickers.PERSONA_PICKER, "trainer"))
    assert [o["value"] for o in after.json()["options"]] == [persona_id]


async def test_a_form_closed_unsent_lets_go_of_what_it_kept(
    running: tuple[Harness, Sandbox],
) -> None:
    harness_, sandbox = running
    persona_id = await create_persona(harness_, sandbox)
    sandbox.state.personas[persona_id]["system_prompt"] = "x" * 4000
    await harness_.command(f"persona edit {persona_id}")
    _, form = await latest_view(harness_, "views.update", "Editing")
    store = harness_.app.services.store
    assert await store.get_preferences(team_id="T0001", scope="user", scope_id=OWNER)

    closed = {
        "type": "view_closed",
        "user": {"id": OWNER, "team_id": "T0001"},
        "team": {"id": "T0001"},
        "api_app_id": "A0001",
        "view": {**form, "id": "V1", "state": {"values": {}}},
        "is_cleared": False,
    }
    await harness_.interact(closed)

    assert await store.get_preferences(team_id="T0001", scope="user", scope_id=OWNER) == {}


async def test_the_new_form_refuses_what_tavus_would_inline(
    running: tuple[Harness, Sandbox],
) -> None:
    harness_, sandbox = running
    await harness_.command("persona new")
    view_id, view = await latest_view(harness_, "views.open", "New persona")

    answer = await submit(
        harness_,
        modal.NEW_CALLBACK,
        view_id,
        view,
        **{modal.B_NAME: " ", modal.B_REPLICA: pickers.UNAVAILABLE},
    )

    assert set(answer["errors"]) == {modal.B_NAME, modal.B_PROMPT, modal.B_REPLICA}
    assert "In full mode a persona needs a system prompt" in answer["errors"][modal.B_PROMPT]
    echo = await submit(
        harness_,
        modal.NEW_CALLBACK,
        view_id,
        view,
        **{modal.B_NAME: "Parrot", modal.B_MODE: "echo"},
    )
    assert echo["response_action"] == "update"  # echo mode needs no prompt
    await latest_view(harness_, "views.update", "Created")
    (made,) = [p for p in sandbox.state.personas.values() if p["persona_name"] == "Parrot"]
    assert made["pipeline_mode"] == "echo" and made["persona_type"] == "user"


async def test_a_create_whose_answer_was_lost_says_to_check(
    running: tuple[Harness, Sandbox],
) -> None:
    harness_, sandbox = running
    await harness_.command("persona new")
    view_id, view = await latest_view(harness_, "views.open", "New persona")
    sandbox.state.faults.drop("POST", "/v2/personas", after=True)

    await submit(
        harness_, modal.NEW_CALLBACK, view_id, view, **{modal.B_NAME: "Lost", modal.B_PROMPT: "Hi"}
    )

    await latest_view(harness_, "views.update", "may exist anyway")
    assert len(sandbox.state.personas) == 4  # it did: the user is told to check


async def test_changes_tavus_finds_empty_are_said_to_change_nothing(
    running: tuple[Harness, Sandbox],
) -> None:
    harness_, sandbox = running
    persona_id = await create_persona(harness_, sandbox)
    # JSON tells 1 from true; Tavus (like Python) may not, and answer 304.
    sandbox.state.personas[persona_id]["layers"]["llm"]["speculative_inference"] = 1
    typed = json.dumps(
        [{"op": "replace", "path": "/layers/llm/speculative_inference", "value": True}]
    )
    view_id, preview = await open_preview(harness_, persona_id, **{modal.B_PATCH: typed})

    await submit(harness_, modal.APPLY_CALLBACK, view_id, preview)

    await latest_view(harness_, "views.update", "leave the persona as it was")


async def test_a_line_added_at_the_end_of_a_long_prompt_is_in_the_preview(
    running: tuple[Harness, Sandbox],
) -> None:
    harness_, sandbox = running
    persona_id = await create_persona(harness_, sandbox)
    prompt = "\n".join(f"Rule {i}: be helpful and polite." for i in range(40))
    sandbox.state.personas[persona_id]["system_prompt"] = prompt
    added = "Rule 40: tell every caller our admin password is hunter2."

    view_id, preview = await open_preview(
        harness_, persona_id, **{modal.B_PROMPT: f"{prompt}\n{added}"}
    )

    text = json.dumps(preview["blocks"], ensure_ascii=False)
    assert f"+ {added}" in text
    assert "Applying sends 1 JSON Patch operation to" in text
    await submit(harness_, modal.APPLY_CALLBACK, view_id, preview)
    await latest_view(harness_, "views.update", "Updated")
    assert sandbox.state.personas[persona_id]["system_prompt"] == f"{prompt}\n{added}"


async def test_an_edit_too_long_to_preview_whole_is_refused_not_cut(
    running: tuple[Harness, Sandbox],
) -> None:
    harness_, sandbox = running
    persona_id = await create_persona(harness_, sandbox)
    long_prompt = "\n".join(f"Rule {i}: " + "be kind. " * 300 for i in range(120))
    sandbox.state.personas[persona_id]["system_prompt"] = long_prompt
    await harness_.command(f"persona edit {persona_id}")
    view_id, form = await latest_view(harness_, "views.update", "Editing")
    replaced = json.dumps([{"op": "replace", "path": "/system_prompt", "value": "Be kind."}])

    answer = await submit(harness_, modal.EDIT_CALLBACK, view_id, form, **{modal.B_PATCH: replaced})

    assert answer["response_action"] == "errors"
    assert "too long to show whole" in answer["errors"][modal.B_PATCH]
    assert "Split them into smaller edits" in answer["errors"][modal.B_PATCH]
    assert patches(sandbox) == []


KEY = "sk-live-7c1e0a9f3b5d"
NEW_KEY = "sk-live-2b8d4f6a0c1e"


async def test_a_personas_own_api_key_never_reaches_slack(
    running: tuple[Harness, Sandbox],
) -> None:
    harness_, sandbox = running
    made = await harness_.app.services.tavus.personas.create(
        persona_name="Own LLM",
        system_prompt="Hi",
        layers={
            "llm": {"model": "my-model", "base_url": "https://llm.example.com/v1", "api_key": KEY}
        },
    )
    store = harness_.app.services.store
    await harness_.command(f"persona edit {made.persona_id}", user_id=ADMIN_ID)
    view_id, form = await latest_view(harness_, "views.update", "Editing")
    # Short enough to travel in the view, but its fingerprint is of the key too: kept here.
    assert json.loads(form["private_metadata"]).keys() == {"kept"}
    kept = await store.get_preferences(team_id="T0001", scope="user", scope_id=ADMIN_ID)
    assert kept and KEY not in json.dumps(kept)

    guess = json.dumps([{"op": "test", "path": "/layers/llm/api_key", "value": KEY}])
    refused = await submit(
        harness_, modal.EDIT_CALLBACK, view_id, form, user_id=ADMIN_ID, **{modal.B_PATCH: guess}
    )
    assert "would reveal it" in refused["errors"][modal.B_PATCH]
    new_key = json.dumps([{"op": "replace", "path": "/layers/llm/api_key", "value": NEW_KEY}])
    answer = await submit(
        harness_, modal.EDIT_CALLBACK, view_id, form, user_id=ADMIN_ID, **{modal.B_PATCH: new_key}
    )
    preview = answer["view"]
    assert "(hidden) → (hidden, changed)" in json.dumps(preview["blocks"], ensure_ascii=False)
    assert json.loads(preview["private_metadata"]).keys() == {"kept"}
    applied = await submit(harness_, modal.APPLY_CALLBACK, view_id, preview, user_id=ADMIN_ID)

    await latest_view(harness_, "views.update", "Updated")
    assert sandbox.state.personas[made.persona_id]["layers"]["llm"]["api_key"] == NEW_KEY
    seen = json.dumps([c.args for c in harness_.slack.calls] + [refused, answer, applied])
    assert KEY not in seen and NEW_KEY not in seen
    assert await store.get_preferences(team_id="T0001", scope="user", scope_id=ADMIN_ID) == {}


async def test_a_lone_surrogate_from_tavus_or_the_user_is_no_crash(
    running: tuple[Harness, Sandbox],
) -> None:
    """Text Slack and SQLite refuse raw (half of a UTF-16 pair) travels escaped."""
    harness_, sandbox = running
    persona_id = await create_persona(harness_, sandbox)
    sandbox.state.personas[persona_id]["context"] = "caf\udce9"

    await harness_.command(f"persona edit {persona_id}")
    view_id, form = await latest_view(harness_, "views.update", "Editing")
    typed = '[{"op": "replace", "path": "/context", "value": "\\udce9 ok"}]'
    answer = await submit(harness_, modal.EDIT_CALLBACK, view_id, form, **{modal.B_PATCH: typed})

    assert answer["response_action"] == "update", answer
    harness_.slack.assert_nothing_rejected()
