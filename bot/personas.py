"""Persona edits, computed and tried here before Tavus hears of them: pure functions.

An edit is RFC 6902 operations: the form's changes (``form_operations``) and, optionally, a
JSON Patch typed by hand (``parse_patch``). Both are applied to the persona as GET answered
it (``dry_run``, with the `jsonpatch` library Tavus's own semantics follow): a path that is
not there, or a field Tavus sets itself, is refused with a reason (and a "did you mean"),
so a bad patch never reaches Tavus. ``changes`` then lists what would change, per field.

A persona can hold secrets (its own LLM's or TTS engine's ``api_key``, request headers):
nothing Slack sees may carry one. ``redact`` puts ``HIDDEN`` in their place, keeping the
document's shape, so every edit is tried on the redacted persona; a patch that would reveal
a secret (a ``test`` of one, a ``copy`` or ``move`` of one to where it shows) is refused.
"""

from __future__ import annotations

import copy
import difflib
import functools
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jsonpatch
import jsonpointer

from bot.domain import personas as domain
from bot.events.base import fingerprint
from bot.patching import diff, same
from bot.tavus.patch import check_operations

# The form's fields: each edits one place in the persona.
NAME = "/persona_name"
PROMPT = "/system_prompt"
MODE = "/pipeline_mode"
CONTEXT = "/context"
REPLICA = "/default_replica_id"
DOCUMENTS = "/document_ids"
TAGS = "/document_tags"
OBJECTIVES = "/objectives_id"
GUARDRAILS = "/guardrails_id"
LLM_MODEL = "/layers/llm/model"
TTS_ENGINE = "/layers/tts/tts_engine"
TTS_VOICE = "/layers/tts/external_voice_id"
DICTIONARY = "/layers/tts/pronunciation_dictionary_id"
PERCEPTION = "/layers/perception/perception_model"
HOTWORDS = "/layers/stt/hotwords"
FORM_PATHS = (
    NAME,
    PROMPT,
    MODE,
    CONTEXT,
    REPLICA,
    DOCUMENTS,
    TAGS,
    OBJECTIVES,
    GUARDRAILS,
    LLM_MODEL,
    TTS_ENGINE,
    TTS_VOICE,
    DICTIONARY,
    PERCEPTION,
    HOTWORDS,
)
LIST_PATHS = frozenset({DOCUMENTS, TAGS})

MAX_PATCH_TEXT = 3000  # a Slack text field holds no more
MAX_OPERATIONS = 100
MAX_DEPTH = 32  # of a value in a patch: a persona's own settings nest a few levels
# How large the persona may grow while a patch is tried (JSON characters): `copy` doubles
# what it copies, so a few operations could otherwise fill the memory.
MAX_PERSONA_CHARS = 500_000
SUGGESTION_CUTOFF = 0.6
# Slack shows a modal's errors under the field: a sentence, not an essay.
_SHOWN_VALUE_MAX = 60

Form = dict[str, Any]  # path -> str | None, or tuple[str, ...] for LIST_PATHS

# What a secret shows as, in the persona the edit form and the preview are built from.
HIDDEN = "(hidden)"
# A member whose name has one of these words (api_key, apiKey, X-Auth-Token, client_secret,
# Authorization) holds a secret; so does everything under "headers" (a header's value is
# often a key). Words, not substrings: "max_tokens" is not a token.
_SECRET_WORDS = frozenset(
    {
        "apikey",
        "auth",
        "authorization",
        "credential",
        "credentials",
        "headers",
        "passphrase",
        "passwd",
        "password",
        "secret",
        "token",
    }
)
_SECRET_PAIRS = frozenset({("api", "key"), ("private", "key"), ("access", "key")})
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_WORD = re.compile(r"[a-z0-9]+")


class PatchRefused(ValueError):
    """The edit cannot be sent: the message says why, for the person who typed it."""


@dataclass(frozen=True)
class Change:
    """One field an edit changes; ``None`` for a side where it is not set. Both sides are
    redacted; ``hidden``: a secret in it changed (its value is never shown)."""

    path: str
    before: Any
    after: Any
    hidden: bool = False


# -- secrets ---------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def secret_name(name: str) -> bool:
    """Whether a member called ``name`` holds a secret (see ``_SECRET_WORDS``)."""
    words = _WORD.findall(_CAMEL.sub("_", name).lower())
    pairs = zip(words, words[1:], strict=False)
    return (
        words == ["key"]
        or bool(_SECRET_WORDS.intersection(words))
        or any(pair in _SECRET_PAIRS for pair in pairs)
    )


def secret_path(path: str) -> bool:
    """Whether the value at ``path`` is (or is inside) a secret."""
    try:
        parts = jsonpointer.JsonPointer(path).parts
    except jsonpointer.JsonPointerException:
        return False
    return any(secret_name(part) for part in parts)


def _secrets(value: Any, base: str) -> Iterator[tuple[str, Any]]:
    """(path, value) of every set plain value at a secret place in ``value`` (at ``base``)."""
    if isinstance(value, Mapping):
        for key, member in value.items():
            yield from _secrets(member, f"{base}/{jsonpointer.escape(str(key))}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _secrets(item, f"{base}/{index}")
    elif value is not None and secret_path(base):
        yield base, value


def holds_secret(value: Any, base: str = "") -> bool:
    """Whether ``value`` (at ``base`` in a persona) holds a secret."""
    return next(_secrets(value, base), None) is not None


def operations_hold_secret(operations: Sequence[Any]) -> bool:
    """Whether an edit's operations carry a secret (a new API key, typed in the patch)."""
    return any(
        isinstance(op, Mapping) and holds_secret(op.get("value"), str(op.get("path", "")))
        for op in operations
    )


def redact(value: Any, base: str = "") -> Any:
    """``value`` with ``HIDDEN`` for each secret; its shape (members, list items) is kept,
    so an operation's path means the same in it as in the persona itself."""
    if isinstance(value, Mapping):
        return {
            key: redact(member, f"{base}/{jsonpointer.escape(str(key))}")
            for key, member in value.items()
        }
    if isinstance(value, list):
        return [redact(item, f"{base}/{index}") for index, item in enumerate(value)]
    return HIDDEN if value is not None and secret_path(base) else value


# -- the form ------------------------------------------------------------------------------


def _get(document: Any, path: str) -> Any:
    try:
        return jsonpointer.resolve_pointer(document, path)
    except jsonpointer.JsonPointerException:
        return None


def _normal(path: str, value: Any) -> Any:
    """How the form holds a value: lists as tuples of text, text stripped (empty is None)."""
    if path in LIST_PATHS:
        return tuple(str(item) for item in value) if isinstance(value, list | tuple) else ()
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value).strip() if not isinstance(value, bool) else json.dumps(value)
    return text or None


def form_values(persona: Mapping[str, Any]) -> Form:
    """What the form shows for a persona (as GET answered it)."""
    return {path: _normal(path, _get(persona, path)) for path in FORM_PATHS}


def _set(document: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = jsonpointer.JsonPointer(path).parts
    target = document
    for part in parents:
        if not isinstance(target.get(part), dict):
            target[part] = {}
        target = target[part]
    if path in LIST_PATHS:
        target[last] = list(value or ())
    elif value is None:
        target.pop(last, None)
    else:
        target[last] = value


def form_operations(persona: Mapping[str, Any], shown: Form, submitted: Form) -> list[Any]:
    """The operations for what the user changed in the form: each field whose submitted
    value differs from the one ``shown``. A field the form could not show whole (and left
    out) is not in ``submitted``, so it is never touched. Emptied text is removed, an
    emptied list is sent empty."""
    after = copy.deepcopy(dict(persona))
    for path, value in submitted.items():
        if path in FORM_PATHS and _normal(path, value) != shown.get(path):
            _set(after, path, value)
    return list(diff(dict(persona), after))


def create_arguments(form: Form) -> dict[str, Any]:
    """Keyword arguments of ``tavus.personas.create`` for a filled "New persona" form."""
    layers: dict[str, Any] = {}
    for path in (LLM_MODEL, TTS_ENGINE, TTS_VOICE, DICTIONARY, PERCEPTION, HOTWORDS):
        if form.get(path):
            _set(layers, path.removeprefix("/layers"), form[path])
    top = {path.lstrip("/"): form.get(path) or None for path in FORM_PATHS if "/" not in path[1:]}
    for path in LIST_PATHS:
        top[path.lstrip("/")] = list(form.get(path) or ()) or None
    return {**top, "layers": layers or None}


# -- a JSON Patch typed by hand ------------------------------------------------------------


def parse_patch(text: str) -> list[Any]:
    """The operations in ``text`` (a JSON array, or one operation), or PatchRefused."""
    if len(text) > MAX_PATCH_TEXT:
        raise PatchRefused(f"Keep the patch under {MAX_PATCH_TEXT:,} characters.")
    try:
        value = json.loads(text, parse_constant=_no_constant, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        raise PatchRefused(f"This is not JSON ({exc.msg}, line {exc.lineno}).") from exc
    except RecursionError:  # nested past Python's own limit
        raise PatchRefused(_TOO_DEEP) from None
    if _deeper_than(value, MAX_DEPTH):
        raise PatchRefused(_TOO_DEEP)
    operations = [value] if isinstance(value, dict) else value
    if not isinstance(operations, list) or not all(isinstance(o, dict) for o in operations):
        raise PatchRefused('A JSON Patch is a list of operations like {"op": "replace", ...}.')
    if len(operations) > MAX_OPERATIONS:
        raise PatchRefused(f"At most {MAX_OPERATIONS} operations in one edit.")
    return operations


_TOO_DEEP = f"Values nest at most {MAX_DEPTH} levels deep in a persona edit."


def _no_constant(name: str) -> Any:
    raise PatchRefused(f"{name} is not a value JSON can carry to Tavus.")


def _finite_float(text: str) -> float:
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise PatchRefused(f"{text[:20]} is too large a number to send to Tavus.")
    return number


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether ``value`` nests more than ``limit`` lists or objects (without recursion)."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


# -- trying an edit ------------------------------------------------------------------------


def dry_run(persona: Mapping[str, Any], operations: Sequence[Any]) -> dict[str, Any]:
    """The persona as Tavus would make it; PatchRefused (naming the operation) if Tavus
    would refuse the patch. Each operation is checked against the document as the ones
    before it left it, as RFC 6902 applies them."""
    document = copy.deepcopy(dict(persona))
    size = len(json.dumps(document))
    for number, operation in enumerate(operations, start=1):
        try:
            size += _growth(document, operation)
            if size > MAX_PERSONA_CHARS:
                raise PatchRefused(
                    f"This would make the persona over {MAX_PERSONA_CHARS:,} characters long."
                )
            document = _apply_one(document, operation)
        except PatchRefused as exc:
            where = f"Operation {number}: " if len(operations) > 1 else ""
            raise PatchRefused(f"{where}{exc}") from None
    return document


def _growth(document: dict[str, Any], operation: Any) -> int:
    """About how many characters ``operation`` adds to the document (before it is checked:
    what cannot be measured adds nothing here, and is refused by the checks)."""
    if not isinstance(operation, Mapping):
        return 0
    if operation.get("op") in ("add", "replace"):
        return len(json.dumps(operation.get("value")))
    source = operation.get("from")
    if operation.get("op") == "copy" and isinstance(source, str) and _valid_pointer(source):
        return len(json.dumps(_get(document, source)))
    return 0


def _valid_pointer(path: str) -> bool:
    try:
        jsonpointer.JsonPointer(path)
    except jsonpointer.JsonPointerException:
        return False
    return True


def _apply_one(document: dict[str, Any], operation: Any) -> dict[str, Any]:
    try:
        (checked,) = check_operations([operation])
    except (ValueError, TypeError) as exc:
        words = str(exc)
        raise PatchRefused(f"{words[:1].upper()}{words[1:]}.") from None
    for key in ("path", "from"):
        if key in checked and not _valid_pointer(checked[key]):
            raise PatchRefused(
                f"{_code(checked[key])} is not a path: in a path, `~` is followed by 0 or 1."
            )
    _check_writable(checked)
    _check_paths(document, checked)
    _check_secrets(document, checked)
    try:
        patched = jsonpatch.JsonPatch([checked]).apply(document, in_place=False)
    except jsonpatch.JsonPatchTestFailed:
        path = _code(checked["path"])
        raise PatchRefused(f"The test failed: {path} does not hold that value.") from None
    except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException) as exc:
        raise PatchRefused(f"Tavus would refuse this: {exc}.") from None
    return dict(patched)


def _check_writable(operation: Mapping[str, Any]) -> None:
    if operation["op"] == "test":
        return
    written = [operation["path"]] + ([operation["from"]] if operation["op"] == "move" else [])
    for path in written:  # never "" (the whole persona): check_operations refuses it
        parts = jsonpointer.JsonPointer(path).parts
        if parts[0] in domain.READ_ONLY_FIELDS:
            raise PatchRefused(f"Tavus sets {_code('/' + parts[0])} itself: it cannot be changed.")


def _check_secrets(document: dict[str, Any], operation: Mapping[str, Any]) -> None:
    """Nothing may reveal a secret: testing one tells it by trial, a copy or move puts it
    where it shows. ``HIDDEN`` stands for one unchanged, so it is never sent as a value."""
    op, path = operation["op"], operation["path"]
    if op == "test" and _touches_secret(document, path):
        raise PatchRefused(
            f"{_code(path)} holds a secret: a `test` of it would reveal it, so it is refused."
        )
    if op in ("copy", "move") and _touches_secret(document, operation["from"]):
        raise PatchRefused(
            f"{_code(operation['from'])} holds a secret: it cannot be copied or moved, "
            "where it would show. Set the new place's value itself."
        )
    if op in ("add", "replace") and HIDDEN in dict(_secrets(operation["value"], path)).values():
        raise PatchRefused(
            f"{_code(HIDDEN)} only stands for a secret this app never shows: give the new "
            "value itself."
        )


def _touches_secret(document: dict[str, Any], path: str) -> bool:
    return secret_path(path) or holds_secret(_get(document, path), path)


def _check_paths(document: dict[str, Any], operation: Mapping[str, Any]) -> None:
    op, path = operation["op"], operation["path"]
    if op in ("copy", "move") and not _exists(document, operation["from"]):
        raise PatchRefused(_not_there(document, operation["from"], op))
    if op in ("replace", "remove", "test") and not _exists(document, path):
        raise PatchRefused(_not_there(document, path, op))
    if op in ("add", "copy", "move"):
        _check_new_member(document, path)


def _exists(document: Any, path: str) -> bool:
    try:
        jsonpointer.resolve_pointer(document, path)
    except jsonpointer.JsonPointerException:
        return False
    return True


def _parent(path: str) -> str:
    parts = jsonpointer.JsonPointer(path).parts
    return jsonpointer.JsonPointer.from_parts(parts[:-1]).path


def _not_there(document: dict[str, Any], path: str, op: str) -> str:
    """Why an operation's path is refused: a likely typo, or a field not set yet."""
    suggestion = _suggest(document, path)
    if suggestion is not None and _exists(document, suggestion):
        return f"{_code(path)} does not exist in this persona. Did you mean {_code(suggestion)}?"
    if path in domain.KNOWN_PATHS:
        how = " Use `add` to set it." if op == "replace" else ""
        return f"{_code(path)} is not set on this persona.{how}"
    hint = f" Did you mean {_code(suggestion)}?" if suggestion else ""
    return f"{_code(path)} does not exist in this persona.{hint}"


def _check_new_member(document: dict[str, Any], path: str) -> None:
    """`add` writes a member that may be new, inside an object or list that must exist. A
    new member named like a known one is a typo; at the persona's own level and in `layers`
    only the fields Tavus knows are accepted."""
    parent = _parent(path)
    if not _exists(document, parent):
        suggestion = _suggest(document, path)
        if suggestion is not None and _exists(document, _parent(suggestion)):
            raise PatchRefused(
                f"{_code(parent)} does not exist in this persona. Did you mean {_code(suggestion)}?"
            )
        raise PatchRefused(
            f"{_code(parent)} is not set on this persona: add it whole first "
            f"(path {_code(parent)} with an object as the value)."
        )
    if not isinstance(jsonpointer.resolve_pointer(document, parent), dict) or _exists(
        document, path
    ):
        return
    suggestion = _suggest(document, path)
    if suggestion is not None:
        raise PatchRefused(
            f"{_code(path)} is not a persona field. Did you mean {_code(suggestion)}?"
        )
    if parent in ("", "/layers") and path not in domain.KNOWN_PATHS:
        raise PatchRefused(f"{_code(path)} is not a persona field.")


def _suggest(document: Any, path: str) -> str | None:
    """The path meant, level by level: each name that is not there is matched (difflib)
    against the names that are, and those the spec gives that level. None: no close one."""
    fixed: list[str] = []
    node = document
    for part in jsonpointer.JsonPointer(path).parts:
        base = jsonpointer.JsonPointer.from_parts(fixed).path
        names = sorted({*(node if isinstance(node, dict) else ()), *domain.known_children(base)})
        if part not in names and not isinstance(node, list):
            found = difflib.get_close_matches(part, names, n=1, cutoff=SUGGESTION_CUTOFF)
            if not found:
                return None
            part = found[0]
        fixed.append(part)
        node = _child(node, part)
    suggestion = jsonpointer.JsonPointer.from_parts(fixed).path
    return None if suggestion == path else suggestion


def _child(node: Any, part: str) -> Any:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and part.isdigit() and int(part) < len(node):
        return node[int(part)]
    return None


def persona_problem(persona: Mapping[str, Any]) -> str | None:
    """What Tavus would refuse in a whole persona (after an edit), in words."""
    name = persona.get("persona_name")
    if not isinstance(name, str) or not name.strip():
        return "A persona needs a name (`/persona_name`)."
    mode = persona.get("pipeline_mode") or domain.DEFAULT_PIPELINE_MODE
    if mode not in domain.PIPELINE_MODES:
        return f"`/pipeline_mode` is `full` or `echo`, not {_shown(mode)}."
    prompt = persona.get("system_prompt")
    if mode in domain.MODES_NEEDING_PROMPT and not (isinstance(prompt, str) and prompt.strip()):
        return f"In `{mode}` mode a persona needs a system prompt (`/system_prompt`)."
    return None


# -- what changes ---------------------------------------------------------------------------


def _leaves(value: Any, base: str = "") -> Iterator[tuple[str, Any]]:
    """(path, value) of every member that is not a non-empty object: lists, plain values and
    empty objects (``{}`` set somewhere is a change too) are leaves."""
    if isinstance(value, Mapping) and (value or not base):
        for key, member in value.items():
            yield from _leaves(member, f"{base}/{jsonpointer.escape(str(key))}")
    elif base:
        yield base, value


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    """What differs, field by field, in the order the persona lists them; each side
    redacted. Every difference is one: nothing an edit does is left out."""
    old, new = dict(_leaves(before)), dict(_leaves(after))
    paths = [*old, *(path for path in new if path not in old)]
    found = []
    for path in paths:
        was, now = old.get(path), new.get(path)
        if same(was, now) or _grown(path, was, now, old, new):
            continue
        hidden = not same(dict(_secrets(was, path)), dict(_secrets(now, path)))
        found.append(Change(path, redact(was, path), redact(now, path), hidden))
    return found


def _grown(path: str, was: Any, now: Any, old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """An empty object that gained members (or lost them all): its members say it."""
    inside = f"{path}/"
    if was == {} and now is None:
        return any(other.startswith(inside) for other in new)
    if now == {} and was is None:
        return any(other.startswith(inside) for other in old)
    return False


def version(persona: Mapping[str, Any]) -> str:
    """A short fingerprint: the persona changed in Tavus when it differs."""
    return fingerprint(persona)


def _code(text: str) -> str:
    return "`" + text.replace("`", "'") + "`"


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return _code(text if len(text) <= _SHOWN_VALUE_MAX else text[: _SHOWN_VALUE_MAX - 1] + "…")
