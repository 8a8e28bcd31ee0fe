"""zarr v2 metadata: ``.zarray`` / ``.zgroup`` / ``.zattrs`` <-> dataclasses (FORMATS.md 1).

Parsing is lenient (bare NaN tokens, unknown keys kept, legacy arrays without
``dimension_separator``); writing follows zarr-python 2 (indent 4, sorted keys, ASCII) and
always records ``dimension_separator``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from zarrcore.errors import MetadataError, UnsupportedError
from zarrcore.metadata.base import ArrayMetadata, ChunkCodec, GroupMetadata, NodeMetadata
from zarrcore.metadata.formats import (
    Document,
    FormatHandler,
    document_json,
    join_key,
    register_format,
)
from zarrcore.metadata.jsonutil import dumps_v2
from zarrcore.metadata.v2_dtypes import (
    decode_fill_value,
    encode_dtype,
    encode_fill_value,
    normalize_fill_value,
    parse_dtype,
)

if TYPE_CHECKING:
    from zarrcore.store.base import Store

ZARRAY = ".zarray"
ZGROUP = ".zgroup"
ZATTRS = ".zattrs"
_KNOWN_ARRAY_KEYS = {
    "zarr_format",
    "shape",
    "chunks",
    "dtype",
    "compressor",
    "fill_value",
    "order",
    "filters",
    "dimension_separator",
}
#: zarr-python 2's default compressor: Blosc(cname="lz4", clevel=5, shuffle=SHUFFLE)
DEFAULT_COMPRESSOR: dict[str, Any] = {
    "id": "blosc",
    "cname": "lz4",
    "clevel": 5,
    "shuffle": 1,
    "blocksize": 0,
}
_FLAT_CHUNK = re.compile(r"^\d+(\.\d+)+$")


def _codec_config(codec: Any) -> dict[str, Any]:
    if isinstance(codec, Mapping):
        config = dict(codec)
    elif hasattr(codec, "get_config"):
        config = dict(codec.get_config())
    else:
        raise TypeError(f"not a codec: {codec!r}")
    if not isinstance(config.get("id"), str):
        raise TypeError(f"codec config without id: {config!r}")
    return config


@dataclass(eq=False)
class V2GroupMetadata(GroupMetadata):
    attributes: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    zarr_format: int = 2

    def to_documents(self) -> dict[str, bytes]:
        docs = {ZGROUP: dumps_v2({**self.extra, "zarr_format": 2})}
        if self.attributes:
            docs[ZATTRS] = dumps_v2(self.attributes)
        return docs

    def attribute_documents(self) -> dict[str, bytes]:
        return {ZATTRS: dumps_v2(self.attributes)}

    @classmethod
    def metadata_names(cls) -> tuple[str, ...]:
        return (ZGROUP, ZATTRS)


@dataclass(eq=False)
class V2ArrayMetadata(ArrayMetadata):
    shape: tuple[int, ...]
    chunks: tuple[int, ...]
    dtype: np.dtype[Any]
    fill_value: Any = None
    order: str = "C"
    compressor: dict[str, Any] | None = None
    filters: list[dict[str, Any]] | None = None
    #: None = not recorded (legacy); resolved by :meth:`resolve_layout`
    dimension_separator: str | None = "."
    attributes: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    dimension_names: tuple[str | None, ...] | None = None
    zarr_format: int = 2

    @classmethod
    def metadata_names(cls) -> tuple[str, ...]:
        return (ZARRAY, ZATTRS)

    # -- keys -----------------------------------------------------------------------------
    @property
    def separator(self) -> str:
        return self.dimension_separator or "."

    def chunk_key(self, coords: tuple[int, ...]) -> str:
        if not coords:
            return "0"
        return self.separator.join(str(int(c)) for c in coords)

    def alternate_chunk_key(self, coords: tuple[int, ...]) -> str | None:
        if len(coords) > 1 and self.separator == "/":
            return ".".join(str(int(c)) for c in coords)  # "/" metadata over flat files (#769)
        return None

    def resolve_layout(self, store: Store, path: str) -> ArrayMetadata:
        if self.dimension_separator is not None:
            return self
        if self.ndim <= 1:
            return dataclasses.replace(self, dimension_separator=".")
        return dataclasses.replace(self, dimension_separator=probe_separator(store, path, self))

    # -- codecs ---------------------------------------------------------------------------
    def codec(
        self, *, url: str | None = None, path: str = "", allow_pickle: bool = False
    ) -> ChunkCodec:
        from zarrcore.codecs.pipeline import V2Pipeline

        return V2Pipeline.from_metadata(self, url=url, path=path, allow_pickle=allow_pickle)

    def codec_configs(self) -> list[dict[str, Any]]:
        configs = [dict(f) for f in self.filters or []]
        if self.compressor is not None:
            configs.append(dict(self.compressor))
        return configs

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        info["dtype"] = encode_dtype(self.dtype)
        try:  # the fill value as stored (JSON-safe: base64 for bytes, "NaN" tokens)
            info["fill_value"] = self.zarray()["fill_value"]
        except (ValueError, TypeError, UnsupportedError):
            info["fill_value"] = repr(self.fill_value)
        info["compressor"] = self.compressor
        info["filters"] = self.filters
        info["dimension_separator"] = self.dimension_separator
        return info

    # -- documents ------------------------------------------------------------------------
    def zarray(self) -> dict[str, Any]:
        object_codec = self._object_codec_or_none()
        return {
            **self.extra,
            "zarr_format": 2,
            "shape": list(self.shape),
            "chunks": list(self.chunks),
            "dtype": encode_dtype(self.dtype),
            "compressor": self.compressor,
            "fill_value": encode_fill_value(self.fill_value, self.dtype, object_codec=object_codec),
            "order": self.order,
            "filters": self.filters if self.filters else None,
            "dimension_separator": self.separator,
        }

    def to_documents(self) -> dict[str, bytes]:
        docs = {ZARRAY: dumps_v2(self.zarray())}
        if self.attributes:
            docs[ZATTRS] = dumps_v2(self.attributes)
        return docs

    def attribute_documents(self) -> dict[str, bytes]:
        return {ZATTRS: dumps_v2(self.attributes)}

    def _object_codec_or_none(self) -> Any:
        if not (self.dtype.kind == "V" and self.dtype.hasobject and self.filters):
            return None
        from zarrcore.codecs.registry import get_codec

        return get_codec(self.filters[0])


def probe_separator(store: Store, path: str, meta: V2ArrayMetadata) -> str:
    """Legacy arrays without ``dimension_separator``: ``"."`` or ``"/"`` (FORMATS 1.5).

    zarr-python 2.18 leaves the field out for the default ``"."``, so this runs for most v2
    arrays: look for chunk 0 under either layout first (one or two requests), and list the
    array's directory only when it is absent (a listing costs one request per 1000 keys on
    S3/Azure).
    """
    flat_key = join_key(path, ".".join(["0"] * meta.ndim))
    nested_key = join_key(path, "/".join(["0"] * meta.ndim))
    if store.exists(flat_key):
        return "."
    if store.exists(nested_key):
        return "/"
    if store.supports_listing:
        names = store.list_dir(f"{path}/" if path else "")
        if any(_FLAT_CHUNK.match(name) for name in names):
            return "."
        if any(name.isdigit() for name in names):
            return "/"
    return "."


# -- parsing ------------------------------------------------------------------------------
def _int_list(value: Any, name: str, *, url: str | None, key: str) -> tuple[int, ...]:
    if isinstance(value, list):
        # some writers (JavaScript) emit integral floats such as 10.0
        items = [int(v) if isinstance(v, float) and v.is_integer() else v for v in value]
        if all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in items):
            return tuple(items)
    raise MetadataError(
        f"{name} must be a list of non-negative integers, got {value!r}", url=url, key=key
    )


def parse_zarray(
    doc: Mapping[str, Any], attributes: dict[str, Any], *, url: str | None, key: str
) -> V2ArrayMetadata:
    """Validate a parsed ``.zarray`` document."""
    fmt = doc.get("zarr_format")
    if fmt != 2:
        raise MetadataError(f"unsupported zarr_format {fmt!r} in .zarray", url=url, key=key)
    # shape, chunks and dtype cannot be guessed; other writers sometimes leave out the rest
    # (compressor/fill_value/filters -> null, order -> "C"), so those are read leniently
    for required in ("shape", "chunks", "dtype"):
        if required not in doc:
            raise MetadataError(f".zarray lacks the required field {required!r}", url=url, key=key)
    shape = _int_list(doc["shape"], "shape", url=url, key=key)
    chunks = _int_list(doc["chunks"], "chunks", url=url, key=key)
    if len(chunks) != len(shape):
        raise MetadataError(
            f"chunks {list(chunks)} and shape {list(shape)} differ in length", url=url, key=key
        )
    if any(c == 0 and s != 0 for c, s in zip(chunks, shape, strict=True)):
        raise MetadataError(f"chunk size 0 on a non-empty axis: {list(chunks)}", url=url, key=key)
    dtype = parse_dtype(doc["dtype"], url=url, key=key)
    compressor = doc.get("compressor")
    if compressor is not None and not (
        isinstance(compressor, dict) and isinstance(compressor.get("id"), str)
    ):
        raise MetadataError(f"invalid compressor {compressor!r}", url=url, key=key)
    filters = doc.get("filters")
    if filters is not None and not (
        isinstance(filters, list)
        and all(isinstance(f, dict) and isinstance(f.get("id"), str) for f in filters)
    ):
        raise MetadataError(f"invalid filters {filters!r}", url=url, key=key)
    order = doc.get("order", "C")
    if order not in ("C", "F"):
        raise MetadataError(f"order must be 'C' or 'F', got {order!r}", url=url, key=key)
    separator = doc.get("dimension_separator")
    if separator not in (None, ".", "/"):
        raise MetadataError(f"invalid dimension_separator {separator!r}", url=url, key=key)
    object_codec = None
    if dtype.kind == "V" and dtype.hasobject and filters:
        from zarrcore.codecs.registry import get_codec

        object_codec = get_codec(filters[0], url=url, key=key)
    try:
        fill_value = decode_fill_value(doc.get("fill_value"), dtype, object_codec=object_codec)
    except (ValueError, TypeError, OverflowError) as exc:
        raise MetadataError(
            f"fill_value {doc.get('fill_value')!r} does not fit dtype {dtype}: {exc}",
            url=url,
            key=key,
        ) from None
    return V2ArrayMetadata(
        shape=shape,
        chunks=chunks,
        dtype=dtype,
        fill_value=fill_value,
        order=order,
        compressor=dict(compressor) if compressor is not None else None,
        filters=[dict(f) for f in filters] if filters else None,
        dimension_separator=separator,
        attributes=attributes,
        extra={k: v for k, v in doc.items() if k not in _KNOWN_ARRAY_KEYS},
    )


class V2Handler(FormatHandler):
    zarr_format = 2
    metadata_names = (ZARRAY, ZGROUP, ZATTRS)

    def parse(
        self, path: str, docs: Mapping[str, Document | None], *, url: str | None
    ) -> NodeMetadata | None:
        zarray_key, zgroup_key, zattrs_key = (join_key(path, n) for n in self.metadata_names)
        zarray, zgroup = docs.get(zarray_key), docs.get(zgroup_key)
        if zarray is None and zgroup is None:
            return None
        attributes: dict[str, Any] = {}
        zattrs = docs.get(zattrs_key)
        if zattrs is not None:
            attributes = document_json(zattrs, url=url, key=zattrs_key)
        if zarray is not None:
            return parse_zarray(
                document_json(zarray, url=url, key=zarray_key), attributes, url=url, key=zarray_key
            )
        assert zgroup is not None
        group_doc = document_json(zgroup, url=url, key=zgroup_key)
        if group_doc.get("zarr_format", 2) != 2:
            raise MetadataError(
                f"unsupported zarr_format {group_doc.get('zarr_format')!r} in .zgroup",
                url=url,
                key=zgroup_key,
            )
        extra = {k: v for k, v in group_doc.items() if k != "zarr_format"}
        return V2GroupMetadata(attributes=attributes, extra=extra)

    def peek(
        self, path: str, docs: Mapping[str, Document | None], *, url: str | None
    ) -> str | None:
        prefix = f"{path}/" if path else ""
        if docs.get(prefix + ZARRAY) is not None:
            return "array"
        if docs.get(prefix + ZGROUP) is not None:
            return "group"
        return None

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
    ) -> ArrayMetadata:
        object_codec = options.pop("object_codec", None)
        if options.get("shards") is not None:
            raise UnsupportedError(
                "sharding needs a zarr v3 array (open the group with zarr_format=3)"
            )
        options.pop("shards", None)
        if options:
            raise TypeError(f"unexpected options for a zarr v2 array: {sorted(options)}")
        if dtype is str or dtype is bytes:
            # like zarr-python 2: variable-length strings / bytes as object arrays
            if object_codec is None and not filters:
                object_codec = {"id": "vlen-utf8" if dtype is str else "vlen-bytes"}
            dtype = object
        np_dtype = parse_dtype(dtype) if isinstance(dtype, list) else np.dtype(dtype)
        shape_t = tuple(int(s) for s in shape)
        chunks_t = tuple(int(c) for c in chunks)
        if len(chunks_t) != len(shape_t):
            raise ValueError(f"chunks {chunks_t} and shape {shape_t} differ in length")
        if any(s < 0 for s in shape_t) or any(c < 1 for c in chunks_t):
            raise ValueError(f"invalid shape {shape_t} or chunks {chunks_t}")
        if order not in ("C", "F"):
            raise ValueError(f"order must be 'C' or 'F', got {order!r}")
        if dimension_separator not in (None, ".", "/"):
            raise ValueError(f"dimension_separator must be '.' or '/', got {dimension_separator!r}")
        filter_configs = [_codec_config(f) for f in filters or []]
        if object_codec is not None:
            filter_configs.insert(0, _codec_config(object_codec))
        if np_dtype.hasobject and np_dtype.kind == "O" and not filter_configs:
            raise ValueError("object arrays need an object codec (object_codec= or filters=)")
        if compressor == "default":
            compressor_config: dict[str, Any] | None = dict(DEFAULT_COMPRESSOR)
        elif compressor is None:
            compressor_config = None
        else:
            compressor_config = _codec_config(compressor)
        return V2ArrayMetadata(
            shape=shape_t,
            chunks=chunks_t,
            dtype=np_dtype,
            fill_value=normalize_fill_value(fill_value, np_dtype),
            order=order,
            compressor=compressor_config,
            filters=filter_configs or None,
            dimension_separator=dimension_separator or ".",
            attributes=dict(attributes or {}),
        )

    def new_group(self, attributes: Mapping[str, Any] | None = None) -> GroupMetadata:
        return V2GroupMetadata(attributes=dict(attributes or {}))


register_format(V2Handler())
