"""Engine-facing jobs for the tree: open a location, list one group's members (no Qt).

These run on worker threads. They only use the public zarrcore API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import zarrcore
from app.models.job_queue import CancelToken
from app.models.tree_nodes import ChildInfo, NodeKind
from zarrcore.errors import NotFoundError
from zarrcore.redact import redact_url


@dataclass(frozen=True, slots=True)
class OpenedHierarchy:
    url: str  # redacted, safe to show
    root: Any
    kind: NodeKind
    consolidated: bool


def is_array(node: Any) -> bool:
    return hasattr(node, "shape") and hasattr(node, "dtype") and not hasattr(node, "members")


def multiscales_of(attrs: Any) -> list[dict[str, Any]] | None:
    """The OME-NGFF ``multiscales`` list of a group's attributes (0.4 or 0.5 layout)."""
    try:
        value = attrs.get("multiscales")
        if value is None and isinstance(attrs.get("ome"), dict):
            value = attrs["ome"].get("multiscales")
    except (AttributeError, TypeError):
        return None
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return value
    return None


def kind_of(node: Any) -> NodeKind:
    if is_array(node):
        return NodeKind.ARRAY
    return NodeKind.PYRAMID if multiscales_of(node.attrs) is not None else NodeKind.GROUP


def child_info(name: str, node: Any) -> ChildInfo:
    kind = kind_of(node)
    if kind is NodeKind.ARRAY:
        return ChildInfo(
            name=name,
            kind=kind,
            node=node,
            shape=tuple(int(n) for n in node.shape),
            dtype=str(node.dtype),
        )
    return ChildInfo(name=name, kind=kind, node=node)


def open_location(
    url: str, token: CancelToken | None = None, options: dict[str, Any] | None = None
) -> OpenedHierarchy:
    """Open ``url`` read-write when possible, using consolidated metadata when present.

    ``options`` go to the store (credentials from the connect dialog; never in ``url``).
    """
    consolidated = False
    root: Any
    options = options or {}
    try:
        root = _open_consolidated(url, options)
        consolidated = True
    except NotFoundError:
        # No consolidated metadata at this location: open by listing on demand.
        root = _open_plain(url, options)
    if token is not None:
        token.raise_if_cancelled()
    return OpenedHierarchy(
        url=redact_url(url), root=root, kind=kind_of(root), consolidated=consolidated
    )


def _open_consolidated(url: str, options: dict[str, Any]) -> Any:
    try:
        return zarrcore.open_consolidated(url, mode="r+", **options)
    except PermissionError:
        # A read-only medium (http, read-only zip): browse it read-only.
        return zarrcore.open_consolidated(url, mode="r", **options)


def _open_plain(url: str, options: dict[str, Any]) -> Any:
    try:
        return zarrcore.open(url, mode="r+", **options)
    except PermissionError:
        # A read-only medium (http, read-only zip): browse it read-only.
        return zarrcore.open(url, mode="r", **options)


def list_members(group: Any, token: CancelToken | None = None) -> list[ChildInfo]:
    """The direct members of ``group`` (sorted by name); never looks below them.

    A member whose metadata cannot be read becomes an ERROR entry carrying the message, so
    one broken child does not hide its siblings.
    """
    errors: dict[str, Any] = {}
    scan = getattr(group, "scan", None)
    if callable(scan):
        pairs, errors = scan()
    else:
        pairs = group.members()
    members = []
    for name, node in pairs:
        if token is not None:
            token.raise_if_cancelled()
        members.append(child_info(name, node))
    for name, error in errors.items():
        members.append(ChildInfo(name=name, kind=NodeKind.ERROR, node=None, error=str(error)))
    return sorted(members, key=lambda info: info.name)
