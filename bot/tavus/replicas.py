"""`tavus.replicas`: train replicas, read their training state, rename and delete them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from ._http import APIResource, path_param, query
from .models import Page, Replica, ReplicaProperties

PATH = "/v2/replicas"


def _given(**fields: object) -> dict[str, object]:
    return {key: value for key, value in fields.items() if value is not None}


def _check_training(
    train_video_url: str | None, train_image_url: str | None, voice_name: str | None
) -> None:
    if (train_video_url is None) == (train_image_url is None):
        raise ValueError("give exactly one of train_video_url or train_image_url")
    if train_image_url is not None and not voice_name:
        raise ValueError("train_image_url needs a voice_name (see tavus.voices)")


def _comma_joined(ids: Sequence[str] | None) -> str | None:
    """The spec passes `replica_ids` as one comma-separated string."""
    if ids is None:
        return None
    if isinstance(ids, str):
        raise TypeError("expected a sequence of ids, got a single string")
    if not ids:
        raise ValueError("replica_ids is empty: pass None to list every replica")
    if any("," in path_param("replica_ids", replica_id) for replica_id in ids):
        raise ValueError("replica_ids must not contain ','")
    return ",".join(ids)


class Replicas(APIResource):
    id_name = "replica_id"

    async def create(
        self,
        *,
        train_video_url: str | None = None,
        train_image_url: str | None = None,
        voice_name: str | None = None,
        consent_video_url: str | None = None,
        replica_name: str | None = None,
        model_name: str | None = None,
        callback_url: str | None = None,
        auto_fix_training_image: bool | None = None,
        properties: ReplicaProperties | None = None,
    ) -> Replica:
        """Start training (hours). Never retried: a retry could train (and bill) a second one.

        Without ``model_name`` Tavus picks its default (`phoenix-4`).
        """
        _check_training(train_video_url, train_image_url, voice_name)
        body = _given(
            train_video_url=train_video_url,
            train_image_url=train_image_url,
            voice_name=voice_name,
            consent_video_url=consent_video_url,
            replica_name=replica_name,
            model_name=model_name,
            callback_url=callback_url,
            auto_fix_training_image=auto_fix_training_image,
            properties=None if properties is None else dict(properties),
        )
        return Replica.from_api(await self._create(PATH, body))

    async def get(self, replica_id: str, *, verbose: bool = False) -> Replica:
        path = f"{PATH}/{path_param('replica_id', replica_id)}"
        data = await self._get_one(path, query(verbose=True) if verbose else None)
        return Replica.from_api(data)

    async def list(
        self,
        *,
        page: int = 1,
        limit: int = 10,
        verbose: bool = False,
        replica_type: str | None = None,
        replica_ids: Sequence[str] | None = None,
        model_name: str | None = None,
    ) -> Page[Replica]:
        return await self._get_page(
            PATH,
            Replica.from_api,
            page=page,
            limit=limit,
            verbose=verbose or None,
            replica_type=replica_type,
            replica_ids=_comma_joined(replica_ids),
            model_name=model_name,
        )

    def iter_all(
        self,
        *,
        verbose: bool = False,
        replica_type: str | None = None,
        replica_ids: Sequence[str] | None = None,
        model_name: str | None = None,
        limit: int = 100,
    ) -> AsyncIterator[Replica]:
        return self._walk(
            lambda page: self.list(
                page=page,
                limit=limit,
                verbose=verbose,
                replica_type=replica_type,
                replica_ids=replica_ids,
                model_name=model_name,
            )
        )

    async def rename(self, replica_id: str, name: str) -> None:
        if not name.strip():
            raise ValueError("name must not be empty")
        path = f"{PATH}/{path_param('replica_id', replica_id)}/name"
        await self._patch_one(path, {"replica_name": name}, idempotent=True)

    async def delete(self, replica_id: str, *, hard: bool = False) -> None:
        """``hard`` also deletes the training footage, for good (not past conversations)."""
        path = f"{PATH}/{path_param('replica_id', replica_id)}"
        await self._delete_one(path, query(hard=True) if hard else None)
