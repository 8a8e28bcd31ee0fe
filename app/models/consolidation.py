"""Point-and-click consolidation: scan, preview, write, measure.

1. :func:`scan_hierarchy` lists the metadata documents under a group (v2 ``.zgroup`` /
   ``.zarray`` / ``.zattrs``, v3 ``zarr.json``) with progress and cancellation, and compares
   them with the consolidated metadata already stored: :class:`ConsolidationPlan` says how
   many nodes there are, whether the consolidated copy is missing, stale or up to date, and
   which entries differ. Scanning never writes.
2. :func:`write_consolidated` writes exactly the previewed documents through
   ``zarrcore.consolidate.write_atomically`` (one ``set`` on stores that replace values
   atomically, else a full temporary copy first): a killed process leaves the old or the new
   document, never half of one. The layout is zarr-python's (byte-identical for v2).
3. :func:`measure_open` counts the metadata reads, listings, round trips and time zarrcore
   needs to open the group and list every node, before (walking) and after (consolidated),
   through zarrcore's ``CountingStore`` wrapper.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from zarrcore.errors import CancelledError, MetadataError, NotFoundError
from zarrcore.store.base import Store
from zarrcore.store.wrappers import CountingStore

V2_SUFFIXES = (".zgroup", ".zarray", ".zattrs")
V3_NAME = "zarr.json"
ZMETADATA = ".zmetadata"
BATCH = 64

#: progress(done, total, phase)
Progress = Callable[[int, int, str], None]
Cancelled = Callable[[], bool]


def _never() -> bool:
    return False


def _ignore(_done: int, _total: int, _phase: str) -> None:
    return None


@dataclass(frozen=True)
class EntryDiff:
    """One consolidated entry that differs from the store: added, removed or changed."""

    key: str
    change: str  # "added" (in store only) / "removed" (consolidated only) / "changed"


@dataclass
class ConsolidationPlan:
    store_url: str
    path: str
    zarr_format: int
    #: metadata key (relative to ``path``) -> parsed document, as found in the store
    documents: dict[str, Any]
    #: "missing" / "stale" / "current"
    status: str
    differences: list[EntryDiff] = field(default_factory=list)
    n_groups: int = 0
    n_arrays: int = 0

    @property
    def n_nodes(self) -> int:
        return self.n_groups + self.n_arrays

    def summary(self) -> str:
        nodes = f"{self.n_nodes} nodes ({self.n_groups} groups, {self.n_arrays} arrays)"
        if self.status == "missing":
            state = "no consolidated metadata yet"
        elif self.status == "stale":
            state = f"consolidated metadata is stale: {len(self.differences)} entries differ"
        else:
            state = "consolidated metadata is up to date"
        return f"zarr v{self.zarr_format}, {nodes}; {state}"


def _join(path: str, key: str) -> str:
    return f"{path}/{key}" if path else key


def _prefix(path: str) -> str:
    path = path.strip("/")
    return f"{path}/" if path else ""


def _load(raw: bytes | None, key: str, url: str) -> Any:
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise MetadataError(f"malformed JSON: {exc}", url=url, key=key) from None


def detect_format(store: Store, path: str = "") -> int:
    prefix = _prefix(path)
    docs = store.get_many([f"{prefix}.zgroup", f"{prefix}{V3_NAME}"])
    if docs.get(f"{prefix}.zgroup") is not None:
        return 2
    v3 = _load(docs.get(f"{prefix}{V3_NAME}"), f"{prefix}{V3_NAME}", store.url)
    if isinstance(v3, dict) and v3.get("node_type") == "group":
        return 3
    raise NotFoundError("no zarr group here to consolidate", url=store.url, key=prefix or "/")


def _metadata_keys(store: Store, prefix: str, fmt: int, cancelled: Cancelled) -> list[str]:
    keys = []
    for count, key in enumerate(store.list_prefix(prefix)):
        if count % 256 == 0 and cancelled():
            raise CancelledError("scan cancelled", url=store.url)
        name = key.rsplit("/", 1)[-1]
        if (fmt == 2 and name in V2_SUFFIXES) or (fmt == 3 and name == V3_NAME):
            keys.append(key)
    return sorted(keys)


def _read_documents(
    store: Store, keys: list[str], prefix: str, progress: Progress, cancelled: Cancelled
) -> dict[str, Any]:
    documents: dict[str, Any] = {}
    progress(0, len(keys), "reading metadata")
    for start in range(0, len(keys), BATCH):
        if cancelled():
            raise CancelledError("scan cancelled", url=store.url)
        batch = keys[start : start + BATCH]
        for key, raw in store.get_many(batch).items():
            doc = _load(raw, key, store.url)
            if doc is not None:
                documents[key[len(prefix) :]] = doc
        progress(min(start + BATCH, len(keys)), len(keys), "reading metadata")
    return documents


def _v3_entries(documents: dict[str, Any]) -> dict[str, Any]:
    """v3 documents -> consolidated map (node path -> document, root excluded)."""
    entries = {}
    for key, doc in documents.items():
        node_path = key[: -len(V3_NAME)].rstrip("/")
        if not node_path:
            continue
        entries[node_path] = _without_consolidated(doc)
    return entries


def _without_consolidated(doc: Any) -> Any:
    if isinstance(doc, dict) and "consolidated_metadata" in doc:
        return {k: v for k, v in doc.items() if k != "consolidated_metadata"}
    return doc


def existing_consolidated(store: Store, path: str, fmt: int) -> dict[str, Any] | None:
    """The consolidated entries stored now (v2 .zmetadata / v3 inline), or None."""
    prefix = _prefix(path)
    if fmt == 2:
        doc = _load(
            store.get_many([prefix + ZMETADATA])[prefix + ZMETADATA], prefix + ZMETADATA, store.url
        )
        if not isinstance(doc, dict) or not isinstance(doc.get("metadata"), dict):
            return None
        return dict(doc["metadata"])
    root = _load(store.get_many([prefix + V3_NAME])[prefix + V3_NAME], prefix + V3_NAME, store.url)
    cons = root.get("consolidated_metadata") if isinstance(root, dict) else None
    if not isinstance(cons, dict) or not isinstance(cons.get("metadata"), dict):
        return None
    return {k: _without_consolidated(v) for k, v in cons["metadata"].items()}


def diff_entries(stored: dict[str, Any], consolidated: dict[str, Any]) -> list[EntryDiff]:
    diffs = [EntryDiff(k, "added") for k in stored if k not in consolidated]
    diffs += [EntryDiff(k, "removed") for k in consolidated if k not in stored]
    diffs += [
        EntryDiff(k, "changed")
        for k in stored
        if k in consolidated and stored[k] != consolidated[k]
    ]
    return sorted(diffs, key=lambda d: d.key)


def scan_hierarchy(
    store: Store,
    path: str = "",
    *,
    progress: Progress = _ignore,
    cancelled: Cancelled = _never,
) -> ConsolidationPlan:
    """Scan the group at ``path`` and compare with its consolidated metadata. Read-only."""
    prefix = _prefix(path)
    fmt = detect_format(store, path)
    progress(0, 0, "listing")
    keys = _metadata_keys(store, prefix, fmt, cancelled)
    documents = _read_documents(store, keys, prefix, progress, cancelled)
    if fmt == 2:
        stored = documents
        n_groups = sum(1 for k in documents if k.endswith(".zgroup"))
        n_arrays = sum(1 for k in documents if k.endswith(".zarray"))
    else:
        stored = _v3_entries(documents)
        node_types = [d.get("node_type") for d in documents.values() if isinstance(d, dict)]
        n_groups = node_types.count("group")
        n_arrays = node_types.count("array")
    consolidated = existing_consolidated(store, path, fmt)
    if consolidated is None:
        status, differences = "missing", []
    else:
        differences = diff_entries(stored, consolidated)
        status = "stale" if differences else "current"
    return ConsolidationPlan(
        store.url, path.strip("/"), fmt, documents, status, differences, n_groups, n_arrays
    )


# -- writing -------------------------------------------------------------------------------
def consolidated_document(plan: ConsolidationPlan) -> tuple[str, bytes]:
    """The key and bytes to write for ``plan`` (zarr-python's layout for each format)."""
    prefix = _prefix(plan.path)
    if plan.zarr_format == 2:
        doc = {"zarr_consolidated_format": 1, "metadata": plan.documents}
        return prefix + ZMETADATA, json.dumps(doc, indent=4, sort_keys=True).encode()
    root = dict(plan.documents[V3_NAME])
    entries = {}
    for node_path, node in _v3_entries(plan.documents).items():
        if node.get("node_type") == "group":
            node = {**node, "consolidated_metadata": _inline({})}
        entries[node_path] = node
    root["consolidated_metadata"] = _inline(entries)
    return prefix + V3_NAME, json.dumps(root, indent=2).encode()


def _inline(metadata: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "inline", "must_understand": False, "metadata": metadata}


def write_consolidated(store: Store, plan: ConsolidationPlan) -> str:
    """Write the consolidated metadata of ``plan`` in one atomic ``set``; returns the key."""
    from zarrcore.consolidate import write_atomically

    store.check_writable()
    key, value = consolidated_document(plan)
    write_atomically(store, key, value)
    return key


# -- measuring -----------------------------------------------------------------------------
@dataclass(frozen=True)
class OpenCost:
    """What discovering every node cost: keys read, listings, round trips, time."""

    reads: int
    listings: int
    round_trips: int
    seconds: float
    n_nodes: int
    #: "engine" (zarrcore.open_group / open_consolidated) or "store walk"
    method: str = "engine"

    @property
    def requests(self) -> int:
        return self.reads + self.listings


def _engine_walk(group: Any) -> int:
    found = 0
    pending = [group]
    while pending:
        for _name, node in pending.pop().members():
            found += 1
            if hasattr(node, "members"):
                pending.append(node)
    return found


def _engine_reads_consolidated(fmt: int) -> bool:
    from zarrcore.consolidate import consolidated_formats

    return any(f.zarr_format == fmt for f in consolidated_formats())


def read_consolidated(store: Store, path: str = "", fmt: int | None = None) -> int:
    """Count every node from the consolidated document alone (one read), store level."""
    fmt = fmt or detect_format(store, path)
    prefix = _prefix(path)
    if fmt == 2:
        key = prefix + ZMETADATA
        doc = _load(store.get_many([key])[key], key, store.url)
        if not isinstance(doc, dict) or not isinstance(doc.get("metadata"), dict):
            raise NotFoundError("no consolidated metadata", url=store.url, key=key)
        return sum(1 for k in doc["metadata"] if k.endswith((".zgroup", ".zarray"))) - 1
    key = prefix + V3_NAME
    root = _load(store.get_many([key])[key], key, store.url)
    cons = root.get("consolidated_metadata") if isinstance(root, dict) else None
    if not isinstance(cons, dict) or not isinstance(cons.get("metadata"), dict):
        raise NotFoundError("no consolidated metadata", url=store.url, key=key)
    return len(cons["metadata"])


def measure_open(store: Store, path: str = "", *, consolidated: bool) -> OpenCost:
    """Requests and time to open the group at ``path`` and list every node below it, with
    zarrcore (``open_group`` walking each group, or ``open_consolidated``). For v3 before
    zarrcore reads inline consolidated metadata, a store-level walk of the same documents
    is measured instead (``method="store walk"``)."""
    import zarrcore

    fmt = detect_format(store, path)  # not counted: both ways start from a known format
    counting = CountingStore(store)
    start = time.perf_counter()
    method = "engine"
    if consolidated and not _engine_reads_consolidated(fmt):
        method = "store walk"
        n_nodes = read_consolidated(counting, path, fmt)
    elif consolidated:
        n_nodes = _engine_walk(zarrcore.open_consolidated(counting, path=path))
    else:
        n_nodes = _engine_walk(zarrcore.open_group(counting, mode="r", path=path))
    seconds = time.perf_counter() - start
    counts = counting.counts
    round_trips = sum(
        counts.get(name, 0)
        for name in ("get", "get_range", "get_many", "getsize", "exists", "list_prefix", "list_dir")
    )
    return OpenCost(counting.reads, counting.listings, round_trips, seconds, n_nodes, method)


@dataclass(frozen=True)
class ConsolidationReport:
    key: str
    before: OpenCost
    after: OpenCost

    def summary(self) -> str:
        b, a = self.before, self.after
        def trips(n: int) -> str:
            return f"{n} round trip{'' if n == 1 else 's'}"

        return (
            f"Wrote {self.key}. Opening the group and listing its {a.n_nodes} nodes took "
            f"{trips(b.round_trips)} ({b.reads} metadata keys read, {b.listings} "
            f"listings) and {b.seconds * 1000:.0f} ms before; {trips(a.round_trips)} "
            f"({a.reads} keys, {a.listings} listings) and {a.seconds * 1000:.0f} ms after."
        )


def consolidate_with_report(store: Store, plan: ConsolidationPlan) -> ConsolidationReport:
    """Measure the walk, write, then measure the consolidated open."""
    before = measure_open(store, plan.path, consolidated=False)
    key = write_consolidated(store, plan)
    after = measure_open(store, plan.path, consolidated=True)
    return ConsolidationReport(key, before, after)
