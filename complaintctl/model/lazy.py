"""A case document read only when something asks for it: a view over many records pays only
for the documents it reads (the read index's rows, a revealed document)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any


class LazyData(Mapping[str, Any]):
    """A case document made by `load(src)` when first read; `src` is dropped once used."""

    __slots__ = ("_data", "_load", "_src")

    def __init__(self, load: Callable[[Any], Mapping[str, Any]], src: Any) -> None:
        self._load, self._src = load, src
        self._data: Mapping[str, Any] | None = None

    def _get(self) -> Mapping[str, Any]:
        if self._data is None:
            self._data = self._load(self._src)
            self._src = None
        return self._data

    def __getitem__(self, key: str) -> Any:
        return self._get()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())
