"""`tavus.replicas`: read replicas and their training state."""

from __future__ import annotations

from collections.abc import AsyncIterator

from ._http import APIResource, path_param, query
from .models import Page, Replica

PATH = "/v2/replicas"


class Replicas(APIResource):
    async def get(self, replica_id: str, *, verbose: bool = False) -> Replica:
        path = f"{PATH}/{path_param('replica_id', replica_id)}"
        data = await self._get(path, query(verbose=True) if verbose else None)
        return Replica.from_api(data)

    async def list(
        self,
        *,
        page: int = 1,
        limit: int = 10,
        verbose: bool = False,
        replica_type: str | None = None,
    ) -> Page[Replica]:
        return await self._get_page(
            PATH,
            Replica.from_api,
            page=page,
            limit=limit,
            verbose=verbose or None,
            replica_type=replica_type,
        )

    def iter_all(
        self, *, verbose: bool = False, replica_type: str | None = None, limit: int = 100
    ) -> AsyncIterator[Replica]:
        return self._walk(
            lambda page: self.list(
                page=page, limit=limit, verbose=verbose, replica_type=replica_type
            )
        )
