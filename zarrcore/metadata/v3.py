"""Zarr v3 ``zarr.json`` for arrays and groups, read and written as zarr-python 3.1 does.

Pure JSON <-> dataclass conversion (FORMATS.md 3.1-3.3); the codec chain is built lazily by
:mod:`zarrcore.codecs.v3_chain` so that metadata browsing works for arrays whose codecs we
cannot decode.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from zarrcore.errors import MetadataError, UnsupportedError
from zarrcore.metadata.base import ArrayMetadata, ChunkCodec, GroupMetadata
from zarrcore.metadata.formats import (
    Document,
    FormatHandler,
    document_json,
    join_key,
    register_format,
)
from zarrcore.metadata.jsonutil import jsonable
from zarrcore.metadata.v3_dtypes import (
    V3DataType,
    coerce_fill_value,
    data_type_from_numpy,
    fill_value_to_json,
    parse_data_type,
    parse_fill_value,
)

ZARR_JSON = "zarr.json"
JSON = Any

_ARRAY_KEYS = (
    "zarr_format",
    "node_type",
    "shape",
    "data_type",
    "chunk_grid",
    "chunk_key_encoding",
    "fill_value",
    "codecs",
    "attributes",
    "dimension_names",
    "storage_transformers",
)
_ZARR_PYTHON_ONLY = frozenset(
    {
        "string",
        "variable_length_utf8",
        "variable_length_bytes",
        "fixed_length_utf32",
        "null_terminated_bytes",
        "raw_bytes",
        "structured",
        "numpy.datetime64",
        "numpy.timedelta64",
    }
)
_GROUP_KEYS = ("zarr_format", "node_type", "attributes", "consolidated_metadata")


# -- JSON helpers ---------------------------------------------------------------------------


def dumps_json(document: Mapping[str, Any]) -> bytes:
    """Serialise like zarr-python 3 (indent 2, insertion order), strict JSON (pitfall 1)."""
    return json.dumps(jsonable(dict(document)), indent=2, allow_nan=False).encode("utf-8")


def parse_named(value: JSON, what: str) -> tuple[str, dict[str, Any]]:
    """``{"name": n, "configuration": {...}}`` or a bare name -> (name, configuration)."""
    if isinstance(value, str):
        return value, {}
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        conf = value.get("configuration", {})
        if conf is None:
            conf = {}
        if not isinstance(conf, dict):
            raise MetadataError(f"{what} configuration must be an object", key=what)
        return value["name"], conf
    raise MetadataError(f"malformed {what}: {value!r}", key=what)


def _int_tuple(value: Any, what: str, *, positive: bool = False) -> tuple[int, ...]:
    if not isinstance(value, list | tuple) or not all(
        isinstance(v, int) and not isinstance(v, bool) and (v > 0 if positive else v >= 0)
        for v in value
    ):
        raise MetadataError(
            f"{what} must be a list of {'positive' if positive else 'non-negative'}"
            f" integers, got {value!r}",
            key=what,
        )
    return tuple(int(v) for v in value)


def _check_extra_keys(doc: Mapping[str, Any], known: Sequence[str]) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    for name, value in doc.items():
        if name in known:
            continue
        if isinstance(value, dict) and value.get("must_understand") is False:
            extra[name] = value
            continue
        raise UnsupportedError(
            f"zarr.json field {name!r} is not understood (must_understand is not false)",
            key=name,
        )
    return extra


# -- chunk key encoding ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChunkKeyEncoding:
    """``default`` (``c/1/2``) or ``v2`` (``1.2``) with a separator."""

    name: str = "default"
    separator: str = "/"

    @classmethod
    def from_json(cls, value: JSON) -> ChunkKeyEncoding:
        name, conf = parse_named(value, "chunk_key_encoding")
        if name not in ("default", "v2"):
            raise UnsupportedError(
                f"chunk_key_encoding {name!r} is not supported", key="chunk_key_encoding"
            )
        sep = conf.get("separator", "/" if name == "default" else ".")
        if sep not in ("/", "."):
            raise MetadataError(
                f"chunk key separator must be '/' or '.', got {sep!r}", key="chunk_key_encoding"
            )
        return cls(name, sep)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "configuration": {"separator": self.separator}}

    def encode(self, coords: Sequence[int]) -> str:
        if self.name == "default":
            return self.separator.join(["c", *(str(int(c)) for c in coords)])
        if not coords:
            return "0"
        return self.separator.join(str(int(c)) for c in coords)


# -- group ----------------------------------------------------------------------------------


@dataclass(eq=False)
class V3GroupMetadata(GroupMetadata):
    """A v3 group. ``consolidated`` is the raw ``consolidated_metadata`` object or None."""

    attributes: dict[str, Any] = field(default_factory=dict)
    consolidated: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    zarr_format: int = 3

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> V3GroupMetadata:
        _check_header(doc, "group")
        attributes = doc.get("attributes", {})
        if attributes is None:
            attributes = {}
        if not isinstance(attributes, dict):
            raise MetadataError("attributes must be an object", key="attributes")
        consolidated = doc.get("consolidated_metadata")
        if consolidated is not None and not isinstance(consolidated, dict):
            raise MetadataError(
                "consolidated_metadata must be an object", key="consolidated_metadata"
            )
        return cls(
            attributes=dict(attributes),
            consolidated=consolidated,
            extra=_check_extra_keys(doc, _GROUP_KEYS),
        )

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"attributes": self.attributes, "zarr_format": 3}
        if self.consolidated is not None:
            doc["consolidated_metadata"] = self.consolidated
        doc["node_type"] = "group"
        doc.update(self.extra)
        return doc

    def to_documents(self) -> dict[str, bytes]:
        return {ZARR_JSON: dumps_json(self.to_json())}

    @classmethod
    def metadata_names(cls) -> tuple[str, ...]:
        return (ZARR_JSON,)


def _check_header(doc: Mapping[str, Any], node_type: str) -> None:
    if not isinstance(doc, Mapping):
        raise MetadataError("zarr.json must hold a JSON object", key=ZARR_JSON)
    if doc.get("zarr_format") != 3:
        raise MetadataError(
            f"zarr_format must be 3, got {doc.get('zarr_format')!r}", key="zarr_format"
        )
    if doc.get("node_type") != node_type:
        raise MetadataError(
            f"node_type must be {node_type!r}, got {doc.get('node_type')!r}", key="node_type"
        )


# -- array ----------------------------------------------------------------------------------


@dataclass(eq=False)
class V3ArrayMetadata(ArrayMetadata):
    """A v3 array. ``chunks`` is the chunk grid (the shard shape for sharded arrays)."""

    shape: tuple[int, ...]
    chunks: tuple[int, ...]
    data_type: V3DataType
    fill_value: Any
    codecs: tuple[dict[str, Any], ...]
    chunk_key_encoding: ChunkKeyEncoding = field(default_factory=ChunkKeyEncoding)
    attributes: dict[str, Any] = field(default_factory=dict)
    dimension_names: tuple[str | None, ...] | None = None
    storage_transformers: tuple[Any, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    zarr_format: int = 3
    order: str = "C"
    dtype: np.dtype[Any] = field(init=False)

    def __post_init__(self) -> None:
        self.dtype = self.data_type.dtype

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> V3ArrayMetadata:
        _check_header(doc, "array")
        for required in (
            "shape",
            "data_type",
            "chunk_grid",
            "chunk_key_encoding",
            "fill_value",
            "codecs",
        ):
            if required not in doc:
                raise MetadataError(f"zarr.json of an array lacks {required!r}", key=required)
        shape = _int_tuple(doc["shape"], "shape")
        grid_name, grid_conf = parse_named(doc["chunk_grid"], "chunk_grid")
        if grid_name != "regular":
            raise UnsupportedError(f"chunk_grid {grid_name!r} is not supported", key="chunk_grid")
        chunks = _int_tuple(grid_conf.get("chunk_shape"), "chunk_shape", positive=True)
        if len(chunks) != len(shape):
            raise MetadataError(
                f"chunk_shape {list(chunks)} does not match shape {list(shape)}", key="chunk_grid"
            )
        data_type = parse_data_type(doc["data_type"])
        fill_value = parse_fill_value(doc["fill_value"], data_type)
        codecs_json = doc["codecs"]
        if not isinstance(codecs_json, list) or not codecs_json:
            raise MetadataError("codecs must be a non-empty list", key="codecs")
        codecs = tuple(_normalise_codec(c) for c in codecs_json)
        transformers = doc.get("storage_transformers", [])
        if transformers:
            raise UnsupportedError(
                f"storage_transformers {transformers!r} are not supported",
                key="storage_transformers",
            )
        dims = doc.get("dimension_names")
        dimension_names: tuple[str | None, ...] | None = None
        if dims is not None:
            if (
                not isinstance(dims, list)
                or len(dims) != len(shape)
                or not all(d is None or isinstance(d, str) for d in dims)
            ):
                raise MetadataError(
                    f"dimension_names {dims!r} must list one name or null per axis",
                    key="dimension_names",
                )
            dimension_names = tuple(dims)
        attributes = doc.get("attributes", {}) or {}
        if not isinstance(attributes, dict):
            raise MetadataError("attributes must be an object", key="attributes")
        return cls(
            shape=shape,
            chunks=chunks,
            data_type=data_type,
            fill_value=fill_value,
            codecs=codecs,
            chunk_key_encoding=ChunkKeyEncoding.from_json(doc["chunk_key_encoding"]),
            attributes=dict(attributes),
            dimension_names=dimension_names,
            extra=_check_extra_keys(doc, _ARRAY_KEYS),
        )

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "shape": list(self.shape),
            "data_type": self.data_type.json,
            "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": list(self.chunks)}},
            "chunk_key_encoding": self.chunk_key_encoding.to_json(),
            "fill_value": fill_value_to_json(self.fill_value, self.data_type),
            "codecs": [dict(c) for c in self.codecs],
            "attributes": self.attributes,
        }
        if self.dimension_names is not None:
            doc["dimension_names"] = list(self.dimension_names)
        doc["zarr_format"] = 3
        doc["node_type"] = "array"
        doc["storage_transformers"] = list(self.storage_transformers)
        doc.update(self.extra)
        return doc

    def to_documents(self) -> dict[str, bytes]:
        return {ZARR_JSON: dumps_json(self.to_json())}

    @classmethod
    def metadata_names(cls) -> tuple[str, ...]:
        return (ZARR_JSON,)

    def chunk_key(self, coords: tuple[int, ...]) -> str:
        return self.chunk_key_encoding.encode(coords)

    @property
    def shard_config(self) -> dict[str, Any] | None:
        """The ``sharding_indexed`` configuration, if the array is sharded."""
        for codec in self.codecs:
            if codec.get("name") == "sharding_indexed":
                conf = codec.get("configuration", {})
                return conf if isinstance(conf, dict) else None
        return None

    @property
    def inner_chunks(self) -> tuple[int, ...]:
        """Inner chunk shape for sharded arrays, else ``chunks``."""
        conf = self.shard_config
        if conf is None:
            return self.chunks
        return tuple(int(v) for v in conf.get("chunk_shape", self.chunks))

    def codec(
        self, *, url: str | None = None, path: str = "", allow_pickle: bool = False
    ) -> ChunkCodec:
        from zarrcore.codecs.v3_chain import build_chunk_codec

        return build_chunk_codec(self, url=url, path=path)

    def codec_configs(self) -> list[dict[str, Any]]:
        return [dict(c) for c in self.codecs]

    @property
    def portability_warning(self) -> str | None:
        """A note when the data type is a zarr-python extension other tools may not read
        (FORMATS pitfall 21); None for core v3 types."""
        if self.data_type.name in _ZARR_PYTHON_ONLY:
            return (
                f"data type {self.data_type.name!r} is a zarr-python extension; "
                "other zarr v3 implementations may not read it"
            )
        return None

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        info["data_type"] = self.data_type.json
        info["chunk_key_encoding"] = self.chunk_key_encoding.to_json()
        if self.shard_config is not None:
            info["shards"] = list(self.chunks)
            info["chunks"] = list(self.inner_chunks)
        if self.portability_warning:
            info["warning"] = self.portability_warning
        return info


def _normalise_codec(value: JSON) -> dict[str, Any]:
    name, conf = parse_named(value, "codecs")
    if isinstance(value, dict):
        return dict(value)
    return {"name": name, "configuration": conf} if conf else {"name": name}


def parse_v3_document(doc: Mapping[str, Any]) -> V3ArrayMetadata | V3GroupMetadata:
    """Array or group metadata from a parsed ``zarr.json``."""
    if not isinstance(doc, Mapping):
        raise MetadataError("zarr.json must hold a JSON object", key=ZARR_JSON)
    node_type = doc.get("node_type")
    if node_type == "array":
        return V3ArrayMetadata.from_json(doc)
    if node_type == "group":
        return V3GroupMetadata.from_json(doc)
    raise MetadataError(f"unknown node_type {node_type!r}", key="node_type")


# -- building new arrays --------------------------------------------------------------------


def new_array_metadata(
    *,
    shape: Sequence[int],
    chunks: Sequence[int],
    dtype: Any,
    fill_value: Any = None,
    codecs: Sequence[dict[str, Any]] | None = None,
    compressor: Any = "default",
    filters: Sequence[Any] | None = None,
    shards: Sequence[int] | None = None,
    shard_index_location: str = "end",
    order: str = "C",
    dimension_separator: str | None = None,
    chunk_key_encoding: ChunkKeyEncoding | Mapping[str, Any] | str | None = None,
    dimension_names: Sequence[str | None] | None = None,
    attributes: Mapping[str, Any] | None = None,
    object_codec: Any = None,
) -> V3ArrayMetadata:
    """Metadata for a new v3 array, choosing codecs as zarr-python 3.1 does.

    ``compressor``/``filters`` take numcodecs objects (or configs) and are mapped onto v3
    codecs; ``"default"`` means zstd level 0 (zarr-python 3.1's default) and ``None`` none.
    ``shards`` makes a sharded array with inner chunks ``chunks`` and shard shape ``shards``.
    ``order="F"`` adds a ``transpose`` codec. ``chunk_key_encoding`` takes a
    :class:`ChunkKeyEncoding`, its JSON form, or zarr-python's ``{"name", "separator"}``.
    An ``object_codec`` (v2 style) only selects ``string`` vs ``variable_length_bytes``.
    """
    from zarrcore.codecs.v3_mapping import default_codec_chain

    codec_id = getattr(object_codec, "codec_id", None)
    data_type = data_type_from_numpy(dtype, variable_length_bytes=codec_id == "vlen-bytes")
    shape_t = tuple(int(s) for s in shape)
    chunks_t = tuple(int(c) for c in chunks)
    if len(chunks_t) != len(shape_t):
        raise MetadataError(
            f"chunks {list(chunks_t)} do not match shape {list(shape_t)}", key="chunks"
        )
    if any(c <= 0 for c in chunks_t):
        raise MetadataError("chunk sizes must be positive", key="chunks")
    if codecs is None:
        codecs = default_codec_chain(
            data_type,
            ndim=len(shape_t),
            compressor=compressor,
            filters=filters,
            order=order,
            inner_chunks=chunks_t if shards is not None else None,
            index_location=shard_index_location,
        )
    grid = chunks_t
    if shards is not None:
        grid = tuple(int(s) for s in shards)
        if len(grid) != len(shape_t) or any(
            g <= 0 or g % c for g, c in zip(grid, chunks_t, strict=True)
        ):
            raise MetadataError(
                f"shards {list(grid)} must be positive multiples of chunks {list(chunks_t)}",
                key="shards",
            )
    if chunk_key_encoding is None:
        encoding = ChunkKeyEncoding("default", dimension_separator or "/")
    elif isinstance(chunk_key_encoding, ChunkKeyEncoding):
        encoding = chunk_key_encoding
    elif isinstance(chunk_key_encoding, Mapping) and "configuration" not in chunk_key_encoding:
        name = str(chunk_key_encoding.get("name", "default"))
        sep = chunk_key_encoding.get("separator", "/" if name == "default" else ".")
        encoding = ChunkKeyEncoding.from_json({"name": name, "configuration": {"separator": sep}})
    else:
        encoding = ChunkKeyEncoding.from_json(chunk_key_encoding)
    return V3ArrayMetadata(
        shape=shape_t,
        chunks=grid,
        data_type=data_type,
        fill_value=coerce_fill_value(fill_value, data_type),
        codecs=tuple(dict(c) for c in codecs),
        chunk_key_encoding=encoding,
        attributes=dict(attributes or {}),
        dimension_names=tuple(dimension_names) if dimension_names is not None else None,
    )


# -- format handler -------------------------------------------------------------------------


class V3Handler(FormatHandler):
    """Reads and creates zarr v3 nodes (``zarr.json``)."""

    zarr_format = 3
    metadata_names = (ZARR_JSON,)

    def parse(
        self, path: str, docs: Mapping[str, Document | None], *, url: str | None
    ) -> V3ArrayMetadata | V3GroupMetadata | None:
        key = join_key(path, ZARR_JSON)
        raw = docs.get(key)
        if raw is None:
            return None
        doc = document_json(raw, url=url, key=key)
        try:
            return parse_v3_document(doc)
        except (MetadataError, UnsupportedError) as exc:
            field_note = f" (field {exc.key!r})" if exc.key and exc.key != ZARR_JSON else ""
            raise type(exc)(f"{exc.message}{field_note}", url=url, key=key) from exc

    def peek(
        self, path: str, docs: Mapping[str, Document | None], *, url: str | None
    ) -> str | None:
        # consolidated maps hold parsed documents: read node_type, parse nothing (errors
        # in the rest of the document surface when the node's metadata is first used)
        raw = docs.get(f"{path}/{ZARR_JSON}" if path else ZARR_JSON)
        if raw is None:
            return None
        if isinstance(raw, Mapping):
            kind = raw.get("node_type")
            if kind == "array" or kind == "group":
                return str(kind)
        return super().peek(path, docs, url=url)

    def new_array(
        self,
        *,
        shape: Sequence[int],
        chunks: Sequence[int],
        dtype: Any,
        fill_value: Any = 0,
        order: str = "C",
        compressor: Any = "default",
        filters: Sequence[Any] | None = None,
        dimension_separator: str | None = None,
        attributes: Mapping[str, Any] | None = None,
        **options: Any,
    ) -> V3ArrayMetadata:
        return new_array_metadata(
            shape=shape,
            chunks=chunks,
            dtype=dtype,
            fill_value=fill_value,
            order=order,
            compressor=compressor,
            filters=filters,
            dimension_separator=dimension_separator,
            attributes=attributes,
            **options,
        )

    def new_group(self, attributes: Mapping[str, Any] | None = None) -> V3GroupMetadata:
        return V3GroupMetadata(attributes=dict(attributes or {}))


register_format(V3Handler())
