"""Persona edits computed and tried locally: operations, refusals with suggestions, changes."""

from __future__ import annotations

import copy
from typing import Any

import jsonpatch
import pytest

from bot import personas as edits
from bot.personas import PatchRefused, dry_run

PERSONA: dict[str, Any] = {
    "persona_id": "p5317866",
    "persona_name": "Life Coach",
    "persona_type": "user",
    "pipeline_mode": "full",
    "system_prompt": "You coach.\nKindly.",
    "context": "",
    "default_replica_id": "r79e1c033f",
    "document_ids": ["d1234567890"],
    "document_tags": [],
    "objectives_id": None,
    "guardrails_id": None,
    "layers": {"llm": {"model": "tavus-gpt-oss"}, "stt": {"hotwords": "Roey"}},
    "created_at": "2025-01-01T00:00:00Z",
    "updated_at": "2025-01-01T00:00:00Z",
}


def persona(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(PERSONA), **changes}


def refusal(operations: list[dict[str, Any]], document: dict[str, Any] | None = None) -> str:
    with pytest.raises(PatchRefused) as caught:
        dry_run(document or persona(), operations)
    return str(caught.value)


# -- the form ------------------------------------------------------------------------------


def test_the_form_shows_text_lists_and_layer_settings() -> None:
    shown = edits.form_values(PERSONA)

    assert shown[edits.NAME] == "Life Coach"
    assert shown[edits.CONTEXT] is None  # empty text reads as unset
    assert shown[edits.DOCUMENTS] == ("d1234567890",)
    assert shown[edits.TAGS] == ()
    assert shown[edits.LLM_MODEL] == "tavus-gpt-oss"
    assert shown[edits.TTS_ENGINE] is None


def test_an_unchanged_form_makes_no_operations() -> None:
    shown = edits.form_values(PERSONA)

    assert edits.form_operations(PERSONA, shown, dict(shown)) == []


def test_changed_fields_become_replace_add_and_remove() -> None:
    shown = edits.form_values(PERSONA)
    submitted = {
        **shown,
        edits.CONTEXT: "Quarterly goals",
        edits.REPLICA: None,
        edits.DOCUMENTS: ("d1234567890", "d2468101214"),
        edits.LLM_MODEL: "tavus-gpt-5.2",
        edits.TTS_ENGINE: "cartesia",  # no tts layer yet: added whole
    }

    operations = edits.form_operations(PERSONA, shown, submitted)

    assert operations == [
        {"op": "replace", "path": "/context", "value": "Quarterly goals"},
        {"op": "remove", "path": "/default_replica_id"},
        {"op": "replace", "path": "/document_ids", "value": ["d1234567890", "d2468101214"]},
        {"op": "replace", "path": "/layers/llm/model", "value": "tavus-gpt-5.2"},
        {"op": "add", "path": "/layers/tts", "value": {"tts_engine": "cartesia"}},
    ]
    # What the library makes of them is what the form asked for.
    after = jsonpatch.apply_patch(PERSONA, operations)
    assert edits.form_values(after) == {**shown, **submitted}


def test_a_field_the_form_left_out_is_never_touched() -> None:
    long_prompt = "word " * 2000
    document = persona(system_prompt=long_prompt)
    shown = edits.form_values(document)
    submitted = {path: value for path, value in shown.items() if path != edits.PROMPT}
    submitted[edits.NAME] = "Coach"

    operations = edits.form_operations(document, shown, submitted)

    assert operations == [{"op": "replace", "path": "/persona_name", "value": "Coach"}]


def test_create_arguments_nest_layer_settings_and_drop_empty_ones() -> None:
    form = {
        **{path: None for path in edits.FORM_PATHS},
        edits.NAME: "Coach",
        edits.PROMPT: "Be kind.",
        edits.MODE: "full",
        edits.DOCUMENTS: ("d1",),
        edits.TAGS: (),
        edits.LLM_MODEL: "tavus-gpt-oss",
        edits.HOTWORDS: "Roey",
    }

    arguments = edits.create_arguments(form)

    assert arguments["persona_name"] == "Coach"
    assert arguments["document_ids"] == ["d1"]
    assert arguments["document_tags"] is None
    assert arguments["context"] is None
    assert arguments["layers"] == {"llm": {"model": "tavus-gpt-oss"}, "stt": {"hotwords": "Roey"}}


# -- a typed JSON Patch ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("not json", "This is not JSON"),
        ("[1, 2]", "list of operations"),
        ('"replace"', "list of operations"),
        ("x" * 3001, "under 3,000 characters"),
        ('[{"op": "add", "path": "/context", "value": NaN}]', "NaN is not a value JSON"),
        ('[{"op": "add", "path": "/context", "value": -Infinity}]', "not a value JSON"),
        ('[{"op": "add", "path": "/context", "value": 1e400}]', "too large a number"),
        ("[" * 900 + "]" * 900, "nest at most 32 levels"),  # no RecursionError either
        ('[{"op": "add", "path": "/a", "value": ' + "[" * 40 + "]" * 40 + "}]", "nest at most"),
        ("[" + ",".join(['{"op":"remove","path":"/a"}'] * 101) + "]", "At most 100"),
    ],
)
def test_a_patch_that_is_not_operations_is_refused(text: str, words: str) -> None:
    with pytest.raises(PatchRefused, match=words):
        edits.parse_patch(text)


def test_one_operation_alone_is_read_as_a_list() -> None:
    assert edits.parse_patch('{"op": "remove", "path": "/context"}') == [
        {"op": "remove", "path": "/context"}
    ]


@pytest.mark.parametrize(
    ("path", "meant"),
    [
        ("/layers/llm/modle", "/layers/llm/model"),
        ("/layer/llm/model", "/layers/llm/model"),
        ("/persona_nam", "/persona_name"),
        ("/system_promt", "/system_prompt"),
        ("/layers/stt/hotword", "/layers/stt/hotwords"),
    ],
)
def test_a_misspelt_path_is_refused_with_the_one_meant(path: str, meant: str) -> None:
    said = refusal([{"op": "replace", "path": path, "value": "x"}])

    assert f"`{path}` does not exist in this persona" in said
    assert f"Did you mean `{meant}`?" in said


def test_a_path_with_nothing_like_it_is_refused_without_a_guess() -> None:
    said = refusal([{"op": "remove", "path": "/zzzzzz"}])

    assert said == "`/zzzzzz` does not exist in this persona."


def test_replace_of_a_known_field_that_is_not_set_says_to_add_it() -> None:
    said = refusal([{"op": "replace", "path": "/layers/llm/base_url", "value": "https://x"}])

    assert "not set on this persona. Use `add`" in said
    after = dry_run(PERSONA, [{"op": "add", "path": "/layers/llm/base_url", "value": "h"}])
    assert after["layers"]["llm"]["base_url"] == "h"


def test_add_inside_a_layer_that_is_missing_says_to_add_the_layer() -> None:
    said = refusal([{"op": "add", "path": "/layers/tts/tts_engine", "value": "cartesia"}])

    assert "`/layers/tts` is not set on this persona: add it whole first" in said


def test_add_of_a_misspelt_new_field_is_refused_with_a_suggestion() -> None:
    said = refusal([{"op": "add", "path": "/layers/llm/modle", "value": "x"}])

    assert "Did you mean `/layers/llm/model`?" in said


def test_add_of_an_unknown_persona_field_is_refused() -> None:
    assert refusal([{"op": "add", "path": "/colour", "value": "x"}]) == (
        "`/colour` is not a persona field."
    )


def test_add_of_a_layer_setting_tavus_added_since_is_let_through() -> None:
    after = dry_run(PERSONA, [{"op": "add", "path": "/layers/llm/temperature", "value": 0.2}])

    assert after["layers"]["llm"]["temperature"] == 0.2


@pytest.mark.parametrize("field", ["persona_id", "persona_type", "created_at", "updated_at"])
def test_fields_tavus_sets_itself_are_refused(field: str) -> None:
    said = refusal([{"op": "replace", "path": f"/{field}", "value": "x"}])

    assert said == f"Tavus sets `/{field}` itself: it cannot be changed."


def test_moving_a_read_only_field_away_is_refused_but_testing_it_is_not() -> None:
    assert "cannot be changed" in refusal(
        [{"op": "move", "from": "/created_at", "path": "/context"}]
    )
    assert dry_run(PERSONA, [{"op": "test", "path": "/persona_id", "value": "p5317866"}])


def test_the_whole_document_cannot_be_replaced() -> None:
    said = refusal([{"op": "replace", "path": "", "value": {}}])

    assert "starting with '/'" in said


@pytest.mark.parametrize(
    ("operation", "words"),
    [
        ({"op": "replace", "path": "/context"}, "a replace operation needs a value"),
        ({"op": "rename", "path": "/context"}, "op must be one of"),
        ({"op": "remove", "path": "context"}, "JSON Pointer starting with '/'"),
        ({"op": "test", "path": "/persona_name", "value": "Other"}, "The test failed"),
    ],
)
def test_malformed_or_failing_operations_say_why(operation: dict[str, Any], words: str) -> None:
    assert words.lower() in refusal([operation]).lower()


def test_each_operation_is_checked_against_what_the_earlier_ones_made() -> None:
    operations = [
        {"op": "add", "path": "/layers/tts", "value": {"tts_engine": "cartesia"}},
        {"op": "replace", "path": "/layers/tts/tts_engine", "value": "elevenlabs"},
    ]
    assert dry_run(PERSONA, operations)["layers"]["tts"] == {"tts_engine": "elevenlabs"}

    said = refusal([operations[0], {"op": "remove", "path": "/layers/tts/voice"}])
    assert said.startswith("Operation 2: `/layers/tts/voice` does not exist")


def test_a_dry_run_leaves_the_persona_as_it_was() -> None:
    document = persona()
    dry_run(document, [{"op": "replace", "path": "/persona_name", "value": "Other"}])

    assert document == PERSONA


# -- the persona after an edit -------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"persona_name": ""}, "needs a name"),
        ({"system_prompt": " "}, "needs a system prompt"),
        ({"pipeline_mode": "loud"}, "`full` or `echo`"),
    ],
)
def test_a_persona_tavus_would_refuse_is_named(changes: dict[str, Any], words: str) -> None:
    problem = edits.persona_problem(persona(**changes))

    assert problem is not None and words in problem


def test_echo_mode_needs_no_prompt() -> None:
    assert edits.persona_problem(persona(pipeline_mode="echo", system_prompt=None)) is None


def test_changes_are_listed_per_field_before_and_after() -> None:
    after = dry_run(
        PERSONA,
        [
            {"op": "replace", "path": "/persona_name", "value": "Coach"},
            {"op": "remove", "path": "/layers/stt/hotwords"},
            {"op": "add", "path": "/layers/tts", "value": {"tts_engine": "cartesia"}},
            {"op": "add", "path": "/document_tags/-", "value": "pricing"},
        ],
    )

    assert edits.changes(PERSONA, after) == [
        edits.Change("/persona_name", "Life Coach", "Coach"),
        edits.Change("/document_tags", [], ["pricing"]),
        edits.Change("/layers/stt/hotwords", "Roey", None),
        edits.Change("/layers/tts/tts_engine", None, "cartesia"),
    ]


def test_changes_tell_true_from_one() -> None:
    before = persona(layers={"llm": {"speculative_inference": 1}})
    after = persona(layers={"llm": {"speculative_inference": True}})

    assert [c.path for c in edits.changes(before, after)] == ["/layers/llm/speculative_inference"]


def test_version_changes_with_the_persona() -> None:
    assert edits.version(PERSONA) == edits.version(persona())
    assert edits.version(PERSONA) != edits.version(persona(updated_at="later"))


def test_what_the_library_refuses_is_refused_too() -> None:
    said = refusal([{"op": "add", "path": "/document_ids/5", "value": "d1"}])

    assert said.startswith("Tavus would refuse this:")


def test_an_empty_object_set_is_a_change_but_one_that_gains_members_is_said_once() -> None:
    emptied = dry_run(PERSONA, [{"op": "add", "path": "/layers/tts", "value": {}}])
    filled = dry_run(PERSONA, [{"op": "add", "path": "/layers/tts", "value": {"a": {"b": 1}}}])

    assert edits.changes(PERSONA, emptied) == [edits.Change("/layers/tts", None, {})]
    assert edits.changes(emptied, filled) == [edits.Change("/layers/tts/a/b", None, 1)]
    assert edits.changes(filled, emptied) == [edits.Change("/layers/tts/a/b", 1, None)]


# -- secrets ----------------------------------------------------------------------------------

KEY = "sk-live-4f9a2c7e1b"
WITH_KEYS = persona(
    layers={
        "llm": {
            "model": "my-llm",
            "base_url": "https://llm.example.com/v1",
            "api_key": KEY,
            "headers": {"X-Team": "team-7", "Authorization": "Bearer b-123"},
            "tools": [{"name": "lookup", "auth_token": "t-456"}],
            "extra_body": {"max_tokens": 500},
        },
        "tts": {"tts_engine": "cartesia", "api_key": None},
    }
)


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("api_key", True),
        ("apiKey", True),
        ("X-Api-Key", True),
        ("Authorization", True),
        ("client_secret", True),
        ("access_token", True),
        ("password", True),
        ("headers", True),
        ("private_key", True),
        ("max_tokens", False),
        ("model", False),
        ("base_url", False),
        ("pronunciation_dictionary_id", False),
        ("keywords", False),
    ],
)
def test_members_named_like_secrets_are_secrets(name: str, secret: bool) -> None:
    assert edits.secret_name(name) is secret


def test_redacting_hides_every_secret_and_keeps_the_shape() -> None:
    redacted = edits.redact(WITH_KEYS)
    llm = redacted["layers"]["llm"]

    assert llm["api_key"] == edits.HIDDEN
    assert llm["headers"] == {"X-Team": edits.HIDDEN, "Authorization": edits.HIDDEN}
    assert llm["tools"] == [{"name": "lookup", "auth_token": edits.HIDDEN}]
    assert llm["extra_body"] == {"max_tokens": 500}
    assert llm["model"] == "my-llm" and redacted["layers"]["tts"]["api_key"] is None
    for secret in (KEY, "team-7", "b-123", "t-456"):
        assert secret not in str(redacted)
    assert edits.holds_secret(WITH_KEYS) and not edits.holds_secret(redacted["system_prompt"])
    assert edits.redact(PERSONA) == PERSONA


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "test", "path": "/layers/llm/api_key", "value": KEY},
        {"op": "test", "path": "/layers/llm", "value": {"api_key": KEY}},
        {"op": "test", "path": "/layers/llm/headers/X-Team", "value": "team-7"},
        {"op": "test", "path": "/layers/llm/tools/0", "value": {}},
    ],
)
def test_a_test_of_a_secret_is_refused_it_would_tell_it_by_trial(
    operation: dict[str, Any],
) -> None:
    said = refusal([operation], edits.redact(WITH_KEYS))

    assert "holds a secret: a `test` of it would reveal it" in said


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "copy", "from": "/layers/llm/api_key", "path": "/context"},
        {"op": "move", "from": "/layers/llm/headers", "path": "/layers/llm/extra_body/h"},
        {"op": "copy", "from": "/layers/llm", "path": "/layers/stt"},
    ],
)
def test_a_secret_cannot_be_copied_or_moved_where_it_would_show(
    operation: dict[str, Any],
) -> None:
    said = refusal([operation], edits.redact(WITH_KEYS))

    assert "holds a secret: it cannot be copied or moved" in said


def test_the_placeholder_cannot_be_sent_as_a_secret() -> None:
    document = edits.redact(WITH_KEYS)
    for operation in (
        {"op": "replace", "path": "/layers/llm/api_key", "value": edits.HIDDEN},
        {"op": "add", "path": "/layers/tts", "value": {"api_key": edits.HIDDEN}},
    ):
        assert "only stands for a secret" in refusal([operation], document)


def test_a_new_key_is_a_hidden_change_and_a_removed_one_is_said() -> None:
    before = edits.redact(WITH_KEYS)
    after = dry_run(
        before,
        [
            {"op": "replace", "path": "/layers/llm/api_key", "value": "sk-new-0042"},
            {"op": "add", "path": "/layers/tts/api_key", "value": "tts-new-0042"},
            {"op": "remove", "path": "/layers/llm/headers/Authorization"},
            {"op": "replace", "path": "/layers/llm/tools/0/auth_token", "value": "t-new"},
        ],
    )

    found = edits.changes(before, after)

    assert found == [
        edits.Change("/layers/llm/api_key", edits.HIDDEN, edits.HIDDEN, hidden=True),
        edits.Change("/layers/llm/headers/Authorization", edits.HIDDEN, None, hidden=True),
        edits.Change(
            "/layers/llm/tools",
            [{"name": "lookup", "auth_token": edits.HIDDEN}],
            [{"name": "lookup", "auth_token": edits.HIDDEN}],
            hidden=True,
        ),
        edits.Change("/layers/tts/api_key", None, edits.HIDDEN, hidden=True),
    ]
    assert "new" not in str(found)
    assert edits.operations_hold_secret(
        [{"op": "add", "path": "/layers/tts", "value": {"api_key": "k"}}]
    )
    assert not edits.operations_hold_secret([{"op": "remove", "path": "/layers/llm/api_key"}])


def test_an_edit_tried_on_the_redacted_persona_does_the_same_to_the_real_one() -> None:
    operations = [
        {"op": "replace", "path": "/layers/llm", "value": {"model": "tavus-gpt-oss"}},
        {"op": "add", "path": "/layers/tts/api_key", "value": "tts-new"},
    ]

    real = jsonpatch.apply_patch(WITH_KEYS, operations)
    tried = dry_run(edits.redact(WITH_KEYS), operations)

    assert edits.redact(real) == edits.redact(tried)
    found = {c.path: c for c in edits.changes(edits.redact(WITH_KEYS), tried)}
    assert list(found) == [
        "/layers/llm/model",
        "/layers/llm/base_url",
        "/layers/llm/api_key",
        "/layers/llm/headers/X-Team",
        "/layers/llm/headers/Authorization",
        "/layers/llm/tools",
        "/layers/llm/extra_body/max_tokens",
        "/layers/tts/api_key",
    ]
    assert found["/layers/llm/api_key"] == edits.Change(
        "/layers/llm/api_key", edits.HIDDEN, None, hidden=True
    )
    assert found["/layers/tts/api_key"].after == edits.HIDDEN


@pytest.mark.parametrize("path", ["/context~", "/context~2", "/a~b"])
def test_a_path_with_a_broken_escape_is_refused_in_words(path: str) -> None:
    words = refusal([{"op": "replace", "path": path, "value": "x"}])

    assert "is not a path" in words and "`~` is followed by 0 or 1" in words


def test_copies_cannot_grow_the_persona_without_bound() -> None:
    """Each copy of a member into itself doubles it: a short patch must not fill the memory."""
    big = persona(layers={"llm": {"model": "m" * 2000}})
    doubling = [
        {"op": "copy", "from": "/layers/llm", "path": f"/layers/llm/c{n}"} for n in range(30)
    ]

    assert "over 500,000 characters" in refusal(doubling, big)
