"""The contract check itself: what it refuses, and how the schemas were extracted."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from bot.sandbox import build_app
from tests.sandbox.conftest import start_runner

from . import extract
from .contract import Contract, SandboxRecorder, SentRequest


def sent(
    method: str,
    path: str,
    body: Any = None,
    *,
    query: dict[str, str] | None = None,
    content_type: str | None = "application/json",
) -> SentRequest:
    raw = b"" if body is None else json.dumps(body).encode()
    return SentRequest(method, path, tuple((query or {}).items()), content_type, raw)


GUARDRAIL = {"guardrail_name": "no_advice", "guardrail_prompt": "Never advise."}
OBJECTIVE = {"objective_name": "greet", "objective_prompt": "Say hello."}


@pytest.mark.parametrize(
    "request_",
    [
        sent("POST", "/v2/guardrails", {"name": "Set", "data": [GUARDRAIL]}),
        sent("POST", "/v2/objectives", {"data": [{**OBJECTIVE, "confirmation_mode": "manual"}]}),
        sent("POST", "/v2/documents", {"document_url": "https://x.test", "crawl": {"depth": 10}}),
        sent("PATCH", "/v2/personas/p1", [{"op": "remove", "path": "/context"}]),
        sent("PATCH", "/v2/personas/p1", [{"op": "add", "path": "/layers/llm", "value": {}}]),
        sent("GET", "/v2/documents", query={"page": "0", "limit": "10", "sort": "ascending"}),
        sent("POST", "/v2/conversations/c1/end"),
        sent("POST", "/v2/documents/d1/recrawl"),
        sent("POST", "/v2/videos", {"replica_id": "r1", "script": "Hi"}),
    ],
    ids=lambda r: r.label,
)
def test_fitting_requests_pass(contract: Contract, request_: SentRequest) -> None:
    assert contract.problems(request_) == []


@pytest.mark.parametrize(
    ("request_", "problem"),
    [
        (
            sent(
                "POST",
                "/v2/guardrails",
                {"name": "S", "data": [{**GUARDRAIL, "guardrails_prompt": "x"}]},
            ),
            "'guardrails_prompt' was unexpected",
        ),
        (
            sent(
                "POST",
                "/v2/objectives",
                {"data": [{**OBJECTIVE, "confirmation_mode": "automatic"}]},
            ),
            "'automatic' is not one of ['auto', 'manual']",
        ),
        (
            sent(
                "POST",
                "/v2/objectives",
                {"data": [{**OBJECTIVE, "next_required_objectives": ["a"]}]},
            ),
            "'next_required_objectives' was unexpected",
        ),
        (
            sent(
                "POST", "/v2/documents", {"document_url": "https://x.test", "crawl": {"depth": 11}}
            ),
            "11 is greater than the maximum of 10",
        ),
        (sent("POST", "/v2/documents", {"document_name": "x"}), "'document_url' is a required"),
        (
            sent("POST", "/v2/personas", {"persona_name": "P", "layers": {"llm": {"modle": "x"}}}),
            "$.layers.llm: Additional properties are not allowed ('modle' was unexpected)",
        ),
        (sent("POST", "/v2/personas", {"pipeline_mode": "turbo"}), "'turbo' is not one of"),
        (
            sent("PATCH", "/v2/personas/p1", [{"op": "replace", "path": "/x"}]),
            "'value' is a required",
        ),
        (
            sent("PATCH", "/v2/personas/p1", [{"op": "remove", "path": "/x", "value": 1}]),
            "should not be valid",
        ),
        (sent("PATCH", "/v2/personas/p1", [{"op": "move", "path": "/x"}]), "'from' is a required"),
        (
            sent("PATCH", "/v2/documents/d1", [{"op": "replace", "path": "/tags"}]),
            "is not of type 'object'",
        ),
        (
            sent("POST", "/v2/videos", {"replica_id": "r1"}),
            "is not valid under any of the given schemas",
        ),
        (
            sent("POST", "/v2/videos", {"replica_id": "r1", "script": "a", "audio_url": "b"}),
            "is valid under each of",
        ),
        (sent("GET", "/v2/documents", query={"page": "first"}), "'first' is not of type 'integer'"),
        (sent("GET", "/v2/personas", query={"persona_type": "mine"}), "'mine' is not one of"),
        (sent("GET", "/v2/objectives", query={"sort": "asc"}), "'sort' was unexpected"),
        (sent("DELETE", "/v2/personas/p1", query={"hard": "true"}), "'hard' was unexpected"),
        (
            sent("POST", "/v2/conversations/c1/end", {"now": True}),
            "sent a body where the spec takes none",
        ),
        (sent("POST", "/v2/lipsync"), "no body: $: 'original_video_url' is a required"),
        (
            sent("PATCH", "/v2/personas/p1", [], content_type="application/json-patch+json"),
            "content type 'application/json-patch+json'",
        ),
        (sent("GET", "/v2/transcriptions"), "no such operation"),
        (sent("PUT", "/v2/personas/p1", {}), "no such operation"),
        (sent("GET", "/v2/personas/p1/extra"), "no such operation"),
    ],
    ids=lambda value: value.label if isinstance(value, SentRequest) else "",
)
def test_requests_outside_the_spec_fail(
    contract: Contract, request_: SentRequest, problem: str
) -> None:
    problems = contract.problems(request_)

    assert any(problem in found for found in problems), problems
    with pytest.raises(AssertionError, match="outside the Tavus OpenAPI"):
        contract.check([request_])


def test_a_required_body_must_be_sent() -> None:
    operation = {"content_types": ["application/json"], "body": {}, "body_required": True}
    contract = Contract({"operations": {"POST /v2/x": {**operation, "query": {}}}})

    assert contract.problems(sent("POST", "/v2/x")) == ["POST /v2/x (/v2/x): the body is required"]
    assert contract.problems(sent("POST", "/v2/x", {})) == []


def test_a_repeated_query_parameter_fails(contract: Contract) -> None:
    request_ = SentRequest("GET", "/v2/voices", (("tag", "a"), ("tag", "b")), None, b"")

    assert contract.problems(request_) == ["GET /v2/voices (/v2/voices) query: tag sent twice"]


def test_path_parameters_match_one_segment(contract: Contract) -> None:
    found = contract.find("PATCH", "/v2/videos/v1/name")

    assert found is not None and found.key == "PATCH /v2/videos/{video_id}/name"
    assert contract.find("GET", "/v2/videos/v1/name") is None


async def test_sandbox_recorder_sees_refused_requests_but_not_control_routes() -> None:
    app = build_app(api_key="right")
    recorder = SandboxRecorder()
    recorder.install(app)
    runner, url = await start_runner(app)
    try:
        async with httpx.AsyncClient(base_url=url) as http:
            wrong_key = await http.post(
                "/v2/personas", json={"persona_name": "x"}, headers={"x-api-key": "wrong"}
            )
            await http.get("/_sandbox/settings", headers={"x-api-key": "right"})
    finally:
        await runner.cleanup()

    assert wrong_key.status_code == 401
    [recorded] = recorder.requests
    assert recorded.label == "POST /v2/personas"
    assert json.loads(recorded.body) == {"persona_name": "x"}
    assert recorded.content_type == "application/json"


# The extractor, on a spec small enough to read.
MINI_SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"version": "9"},
    "paths": {
        "/v2/videos": {
            "post": {
                "operationId": "make",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/V"}}},
                },
                "parameters": [{"in": "query", "name": "page", "schema": {"type": "integer"}}],
            }
        },
        "/v2/transcriptions": {"get": {"operationId": "notCalled"}},
    },
    "components": {
        "schemas": {
            "V": {
                "type": "object",
                "description": "dropped",
                "properties": {
                    "description": {"type": "string", "example": "a field named description"},
                    "progress": {"type": "integer", "nullable": True},
                },
                "oneOf": [{"properties": {"script": {"type": "string"}}, "required": ["script"]}],
            }
        }
    },
}


def _mini_operations() -> dict[str, Any]:
    # Corrections name real operations; the mini spec has none of them.
    return extract._operations(MINI_SPEC)


def test_extract_keeps_only_the_called_resources_and_query_parameters() -> None:
    operations = _mini_operations()

    assert list(operations) == ["POST /v2/videos"]
    operation = operations["POST /v2/videos"]
    assert operation["operation_id"] == "make"
    assert operation["body_required"] is True
    assert operation["query"]["properties"] == {"page": {"type": "integer"}}


def test_extract_inlines_refs_turns_nullable_into_null_and_closes_objects() -> None:
    body = _mini_operations()["POST /v2/videos"]["body"]

    assert "description" not in body and "$ref" not in json.dumps(body)
    assert body["properties"]["description"] == {"type": "string"}
    assert body["properties"]["progress"] == {"type": ["integer", "null"]}
    assert body["additionalProperties"] is False
    assert body["properties"]["script"] is True  # allowed here, checked by the oneOf branch
    assert "additionalProperties" not in body["oneOf"][0]


def test_committed_contract_records_its_source_and_corrections(contract: Contract) -> None:
    document = json.loads(extract.OUTPUT.read_text())

    assert "tavus-openapi.yml" in document["$comment"]
    assert document["source"]["sha256"] and document["source"]["extracted_on"]
    assert len(document["corrections"]) == len(extract.CORRECTIONS)
    assert len(contract.operations) == len(document["operations"])
