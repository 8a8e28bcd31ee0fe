"""``node.attrs``: a dict-like view of a node's user attributes, written through on change."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any

from zarrcore.errors import ReadOnlyError

if TYPE_CHECKING:
    from zarrcore.node import Node


class Attributes(MutableMapping[str, Any]):
    """User attributes of one group or array.

    Reads come from the metadata loaded with the node. Every change rewrites the node's
    attribute document (``.zattrs`` for v2, ``zarr.json`` for v3) at once; use
    :meth:`update` to change several keys with one write. Writes raise ReadOnlyError when
    the node was opened with ``mode="r"`` or through consolidated metadata.
    """

    def __init__(self, node: Node) -> None:
        self._node = node

    @property
    def _data(self) -> dict[str, Any]:
        return self._node.metadata.attributes

    @property
    def read_only(self) -> bool:
        return self._node.metadata_read_only

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._data))

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def _check_writable(self) -> None:
        if self.read_only:
            reason = (
                "attributes of a consolidated view are read-only"
                if self._node.source.consolidated
                else "node was opened read-only"
            )
            raise ReadOnlyError(reason, url=self._node.store.url, key=self._node.path or "/")

    def __setitem__(self, key: str, value: Any) -> None:
        self.update({key: value})

    def __delitem__(self, key: str) -> None:
        self._check_writable()
        new = dict(self._data)
        del new[key]
        self._write(new)

    def update(self, *args: Any, **kwargs: Any) -> None:
        """Change several attributes with a single write."""
        self._check_writable()
        new = dict(self._data)
        new.update(*args, **kwargs)
        self._write(new)

    def put(self, mapping: Mapping[str, Any]) -> None:
        """Replace all attributes."""
        self._check_writable()
        self._write(dict(mapping))

    def asdict(self) -> dict[str, Any]:
        return dict(self._data)

    def refresh(self) -> None:
        """Re-read the attributes from the store."""
        self._node.reload()

    def _write(self, new: dict[str, Any]) -> None:
        meta = self._node.metadata
        old = meta.attributes
        meta.attributes = new
        try:
            self._node.write_documents(meta.attribute_documents())
        except BaseException:
            meta.attributes = old
            raise

    def __repr__(self) -> str:
        return f"Attributes({self._data!r})"
