"""`tavus.objectives`: the goals a persona steers a conversation towards, created as a set."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from ._http import APIResource, known_fields, listed, path_param
from .models import CONFIRMATION_MODES, MODALITIES, ObjectiveSet, ObjectiveSpec, Page
from .patch import Patched, PatchOperation

PATH = "/v2/objectives"
REQUIRED = ("objective_name", "objective_prompt")


def _check_choice(what: str, value: Any, choices: tuple[str, ...]) -> None:
    if value is not None and value not in choices:
        raise ValueError(f"{what} must be one of {', '.join(choices)}, got {value!r}")


def _check_links(objective: Mapping[str, Any], names: set[str]) -> None:
    """Links to the next objectives must name objectives of the same set."""
    targets = set(objective.get("next_conditional_objectives") or {})
    if objective.get("next_required_objective") is not None:
        targets.add(objective["next_required_objective"])
    dangling = sorted(targets - names)
    if dangling:
        raise ValueError(f"next objectives not in this set: {', '.join(dangling)}")


def _check_objective(spec: ObjectiveSpec) -> dict[str, Any]:
    objective = known_fields("objective", spec, ObjectiveSpec, REQUIRED)
    name = objective["objective_name"]
    if not isinstance(name, str) or any(c.isspace() for c in name):
        raise ValueError(f"objective_name must be a name without spaces, got {name!r}")
    _check_choice("confirmation_mode", objective.get("confirmation_mode"), CONFIRMATION_MODES)
    _check_choice("modality", objective.get("modality"), MODALITIES)
    if "output_variables" in objective:
        objective["output_variables"] = listed("output_variables", objective["output_variables"])
    if "next_conditional_objectives" in objective:
        objective["next_conditional_objectives"] = dict(objective["next_conditional_objectives"])
    return objective


def _check_objectives(objectives: Sequence[ObjectiveSpec]) -> list[dict[str, Any]]:
    if isinstance(objectives, Mapping):
        raise TypeError("expected a list of objectives, got a single objective")
    checked = [_check_objective(spec) for spec in objectives]
    if not checked:
        raise ValueError("give at least one objective")
    names = [objective["objective_name"] for objective in checked]
    if len(set(names)) != len(names):
        raise ValueError("objective names must be unique within a set")
    for objective in checked:
        _check_links(objective, set(names))
    return checked


class Objectives(APIResource):
    id_name = "objectives_id"

    async def create(self, objectives: Sequence[ObjectiveSpec]) -> ObjectiveSet:
        """Create one set (one `objectives_id` for a persona). Never retried.

        Tavus answers the id without the objectives; the set returned carries those sent.
        """
        sent = _check_objectives(objectives)
        answer = await self._create(PATH, {"data": sent})
        return ObjectiveSet.from_api(answer if "data" in answer else {**answer, "data": sent})

    async def get(self, objectives_id: str) -> ObjectiveSet:
        """GET answers `{"data": {...}}` or `{"data": [{...}]}`: both are read."""
        path = f"{PATH}/{path_param('objectives_id', objectives_id)}"
        return ObjectiveSet.from_api(await self._get_one(path), objectives_id=objectives_id)

    async def list(self, *, page: int = 1, limit: int = 10) -> Page[ObjectiveSet]:
        return await self._get_page(PATH, ObjectiveSet.from_api, page=page, limit=limit)

    def iter_all(self, *, limit: int = 100) -> AsyncIterator[ObjectiveSet]:
        return self._walk(lambda page: self.list(page=page, limit=limit))

    async def patch(self, objectives_id: str, operations: Sequence[PatchOperation]) -> Patched:
        """RFC 6902 operations. Tavus shows paths both as `/data/0/objective_name` and as
        `/objective_name` (unverified which it applies): read the set with `get` first."""
        path = f"{PATH}/{path_param('objectives_id', objectives_id)}"
        return await self._json_patch(path, operations)

    async def delete(self, objectives_id: str) -> None:
        await self._delete_one(f"{PATH}/{path_param('objectives_id', objectives_id)}")
