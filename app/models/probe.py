""" "Test connection": open a store and say what is there, in one short sentence.

Runs in a worker thread (never on the UI thread). Reads at most a handful of keys: the root
metadata documents and, when there is no consolidated metadata, one listing of the root.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.models.connection import Connection, LocalConnection
from zarrcore.errors import NotFoundError, ZarrcoreError
from zarrcore.redact import redact_text
from zarrcore.store.base import Store

#: short timeouts so a dead server answers "unreachable" quickly
PROBE_REMOTE_OPTIONS: dict[str, Any] = {"connect_timeout_s": 3.0, "timeout_s": 5.0, "retries": 0}


@dataclass(frozen=True)
class ProbeResult:
    ok: bool
    message: str
    #: "v2" / "v3" / "n5" / "" (nothing zarr found)
    zarr_format: str = ""
    node_type: str = ""
    consolidated: bool = False
    n_arrays: int | None = None
    elapsed_s: float = 0.0


def group_digits(n: int) -> str:
    """1204 -> '1 204' (thin grouping as in the issue text)."""
    return f"{n:,}".replace(",", "\u202f")


def _plural(n: int, word: str) -> str:
    return f"{group_digits(n)} {word}{'' if n == 1 else 's'}"


def _get_json(store: Store, key: str) -> dict[str, Any] | None:
    try:
        raw = store.get(key)
    except NotFoundError:
        return None
    doc = json.loads(raw)
    return doc if isinstance(doc, dict) else None


def describe_store(store: Store) -> ProbeResult:
    """Inspect the root of ``store``; raises ZarrcoreError on store failures."""
    result = _describe(store)
    if type(store).__name__ == "N5Store" and result.zarr_format == "v2":
        # zarrcore's N5Store shows N5 containers through a zarr v2 view: say what it really is
        message = result.message.replace("zarr v2", "N5", 1)
        return ProbeResult(
            result.ok, message, "n5", result.node_type, result.consolidated, result.n_arrays
        )
    return result


def _describe(store: Store) -> ProbeResult:
    zmeta = _get_json(store, ".zmetadata")
    if zmeta is not None:
        entries = zmeta.get("metadata", {})
        n_arrays = sum(1 for k in entries if k == ".zarray" or k.endswith("/.zarray"))
        node = "array" if ".zarray" in entries else "group"
        text = f"zarr v2 {node}, consolidated, {_plural(n_arrays, 'array')}"
        return ProbeResult(True, text, "v2", node, True, n_arrays)
    zarr_json = _get_json(store, "zarr.json")
    if zarr_json is not None:
        node = str(zarr_json.get("node_type", "group"))
        cons = zarr_json.get("consolidated_metadata") or {}
        if node == "group" and isinstance(cons, dict) and cons.get("metadata") is not None:
            docs = cons["metadata"].values()
            n_arrays = sum(1 for d in docs if isinstance(d, dict) and d.get("node_type") == "array")
            text = f"zarr v3 group, consolidated, {_plural(n_arrays, 'array')}"
            return ProbeResult(True, text, "v3", node, True, n_arrays)
        if node == "array":
            return ProbeResult(True, "zarr v3 array", "v3", node)
        return _unconsolidated(store, "v3", "zarr v3 group, not consolidated")
    if _get_json(store, ".zarray") is not None:
        return ProbeResult(True, "zarr v2 array", "v2", "array")
    if _get_json(store, ".zgroup") is not None:
        return _unconsolidated(store, "v2", "zarr v2 group, not consolidated")
    n5 = _get_json(store, "attributes.json")
    if n5 is not None:
        node = "array" if "dimensions" in n5 else "group"
        return ProbeResult(True, f"N5 {node}", "n5", node)
    if store.supports_listing and not any(True for _ in _first(store.list_prefix(""), 1)):
        return ProbeResult(True, "connected; the store is empty at this location")
    return ProbeResult(True, "connected, but no zarr metadata at this location")


def _first(iterator: Any, n: int) -> list[Any]:
    out = []
    for item in iterator:
        out.append(item)
        if len(out) >= n:
            break
    return out


def _unconsolidated(store: Store, fmt: str, text: str) -> ProbeResult:
    if not store.supports_listing:
        return ProbeResult(True, f"{text} (store cannot list)", fmt, "group")
    children = store.list_dir("")
    members = [c for c in children if not c.startswith(".") and c != "zarr.json"]
    return ProbeResult(
        True, f"{text}, {_plural(len(members), 'member')} at the root", fmt, "group", False
    )


def _scrub(text: str, connection: Connection) -> str:
    """Redact URL-style secrets and any literal secret value of ``connection``."""
    text = redact_text(text)
    for value in connection.secrets().values():
        if len(value) >= 3:
            text = text.replace(value, "***")
    return text


def probe_options(connection: Connection) -> dict[str, Any]:
    options = dict(connection.store_options())
    if not isinstance(connection, LocalConnection):
        for name, value in PROBE_REMOTE_OPTIONS.items():
            options.setdefault(name, value)
    return options


def probe_connection(
    connection: Connection,
    *,
    open_store: Callable[..., Store] | None = None,
) -> ProbeResult:
    """Open ``connection`` read-only and describe it. Never raises: errors become results."""
    if open_store is None:
        from zarrcore.url import open_store as zarrcore_open_store

        open_store = zarrcore_open_store
    start = time.perf_counter()
    if isinstance(connection, LocalConnection):
        path = Path(connection.path).expanduser()
        if not connection.path or not path.exists():
            return ProbeResult(False, f"No such file or folder: {connection.path or '(empty)'}")
    store: Store | None = None
    try:
        store = open_store(connection.open_url(), mode="r", **probe_options(connection))
        result = describe_store(store)
    except (ZarrcoreError, OSError, ValueError) as exc:
        message = _scrub(f"{type(exc).__name__}: {exc}", connection)
        return ProbeResult(False, message, elapsed_s=time.perf_counter() - start)
    finally:
        if store is not None:
            store.close()
    return ProbeResult(
        result.ok,
        result.message,
        result.zarr_format,
        result.node_type,
        result.consolidated,
        result.n_arrays,
        time.perf_counter() - start,
    )
