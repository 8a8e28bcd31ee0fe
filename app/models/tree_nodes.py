"""Pure state of the lazy hierarchy tree: one :class:`TreeNode` per group, array or placeholder.

A group's children stay unset (``UNFETCHED``) until the user expands it; then it is
``FETCHING`` with a single placeholder child, and finally ``FETCHED`` (children set) or
``ERROR`` (a single error child carrying the message). Nothing here does IO.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class FetchState(Enum):
    UNFETCHED = "unfetched"
    FETCHING = "fetching"
    FETCHED = "fetched"
    ERROR = "error"


class NodeKind(Enum):
    GROUP = "group"
    ARRAY = "array"
    PYRAMID = "pyramid"  # a group carrying OME-NGFF multiscales metadata
    PLACEHOLDER = "placeholder"  # "loading…" row
    ERROR = "error"  # the listing failed; the row shows why


@dataclass(frozen=True, slots=True)
class ChildInfo:
    """What a listing job reports about one member (enough to draw its row)."""

    name: str
    kind: NodeKind
    node: Any
    shape: tuple[int, ...] | None = None
    dtype: str | None = None
    #: why this member's metadata could not be read (kind is ERROR)
    error: str | None = None


@dataclass(eq=False)
class TreeNode:
    """One row of the tree. ``row`` is its index in ``parent.children`` (kept up to date)."""

    name: str
    path: str
    kind: NodeKind
    node: Any = None
    shape: tuple[int, ...] | None = None
    dtype: str | None = None
    parent: TreeNode | None = None
    row: int = 0
    children: list[TreeNode] = field(default_factory=list)
    state: FetchState = FetchState.UNFETCHED
    error: str | None = None
    request_id: int | None = None

    @property
    def is_container(self) -> bool:
        return self.kind in (NodeKind.GROUP, NodeKind.PYRAMID)

    def has_children(self) -> bool:
        """True until a listing proves a group empty; never lists to decide."""
        if not self.is_container:
            return False
        if self.state is FetchState.UNFETCHED:
            return True
        return bool(self.children)

    def can_fetch(self) -> bool:
        return self.is_container and self.state is FetchState.UNFETCHED

    def begin_fetch(self, request_id: int) -> TreeNode:
        """Mark as fetching and add the placeholder row; returns the placeholder."""
        if not self.can_fetch():
            raise RuntimeError(f"{self.path!r} is not waiting for a listing")
        self.state = FetchState.FETCHING
        self.request_id = request_id
        placeholder = TreeNode(
            name="loading…", path=self.path, kind=NodeKind.PLACEHOLDER, parent=self, row=0
        )
        self.children = [placeholder]
        return placeholder

    def finish_fetch(self, children: Sequence[ChildInfo]) -> list[TreeNode]:
        """Replace the placeholder with the listed children (returned)."""
        nodes = [
            TreeNode(
                name=info.name,
                path=join_path(self.path, info.name),
                kind=info.kind,
                node=info.node,
                shape=info.shape,
                dtype=info.dtype,
                parent=self,
                row=row,
                error=info.error,
            )
            for row, info in enumerate(children)
        ]
        self.children = nodes
        self.state = FetchState.FETCHED
        self.request_id = None
        return nodes

    def fail_fetch(self, message: str) -> TreeNode:
        """Replace the placeholder by an error row (returned)."""
        error_row = TreeNode(
            name=f"error: {message}", path=self.path, kind=NodeKind.ERROR, parent=self, row=0
        )
        error_row.error = message
        self.children = [error_row]
        self.state = FetchState.ERROR
        self.error = message
        self.request_id = None
        return error_row

    def iter_fetched(self) -> list[TreeNode]:
        """This node and every descendant already fetched (depth first)."""
        out = [self]
        for child in self.children:
            out.extend(child.iter_fetched())
        return out


def join_path(parent: str, name: str) -> str:
    return f"{parent}/{name}" if parent else name


def make_root(name: str, node: Any, kind: NodeKind) -> TreeNode:
    return TreeNode(name=name, path="", kind=kind, node=node)
