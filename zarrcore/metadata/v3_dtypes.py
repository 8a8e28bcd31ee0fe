"""Zarr v3 data types and fill values, as zarr-python 3.1 writes them (FORMATS.md 3.3).

A :class:`V3DataType` pairs the JSON ``data_type`` with the NumPy dtype zarrcore uses in memory.
Numeric types live in memory in native (little-endian) order; the ``bytes`` codec does any swap.
``string`` and ``variable_length_bytes`` are object arrays of ``str`` / ``bytes``.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from zarrcore.errors import MetadataError, UnsupportedError

JSON = Any

_SIMPLE: dict[str, str] = {
    "bool": "|b1",
    "int8": "|i1",
    "int16": "<i2",
    "int32": "<i4",
    "int64": "<i8",
    "uint8": "|u1",
    "uint16": "<u2",
    "uint32": "<u4",
    "uint64": "<u8",
    "float16": "<f2",
    "float32": "<f4",
    "float64": "<f8",
    "complex64": "<c8",
    "complex128": "<c16",
}
_SIMPLE_BY_KEY: dict[tuple[str, int], str] = {
    (np.dtype(v).kind, np.dtype(v).itemsize): k for k, v in _SIMPLE.items()
}
_STRING_NAMES = ("string", "variable_length_utf8")
_TIME_UNITS = ("Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns", "ps", "fs", "as")
_RAW_RE = re.compile(r"^r(\d+)$")


@dataclass(frozen=True, slots=True)
class V3DataType:
    """A v3 data type: its JSON form, the in-memory NumPy dtype, and a coarse category.

    ``category`` is one of ``bool int uint float complex string bytes utf32 fixed_bytes
    raw structured datetime timedelta``.
    """

    json: JSON
    dtype: np.dtype[Any]
    category: str

    @property
    def name(self) -> str:
        return self.json if isinstance(self.json, str) else str(self.json["name"])

    @property
    def is_variable_length(self) -> bool:
        return self.category in ("string", "bytes")

    @property
    def has_endianness(self) -> bool:
        """True when the ``bytes`` codec needs an ``endian`` for this type."""
        if self.is_variable_length:
            return False
        if self.category == "structured":
            return False
        if self.category in ("fixed_bytes", "raw"):
            return False
        return self.dtype.itemsize > 1 or self.category == "utf32"


def _config(value: JSON, key: str, what: str) -> Any:
    conf = value.get("configuration") if isinstance(value, dict) else None
    if not isinstance(conf, dict) or key not in conf:
        raise MetadataError(f"data_type {what} needs configuration.{key}", key="data_type")
    return conf[key]


def parse_data_type(value: JSON) -> V3DataType:
    """Parse the ``data_type`` field of an array's zarr.json."""
    if isinstance(value, str):
        if value in _SIMPLE:
            dt = np.dtype(_SIMPLE[value])
            return V3DataType(value, dt, _category_of_kind(dt))
        if value in _STRING_NAMES:
            return V3DataType(value, np.dtype("O"), "string")
        if value == "variable_length_bytes":
            return V3DataType(value, np.dtype("O"), "bytes")
        match = _RAW_RE.match(value)
        if match:
            bits = int(match.group(1))
            if bits <= 0 or bits % 8:
                raise MetadataError(f"raw data type {value!r} must be a multiple of 8 bits")
            return V3DataType(value, np.dtype(f"V{bits // 8}"), "raw")
        raise UnsupportedError(f"unsupported zarr v3 data type {value!r}", key="data_type")
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        raise MetadataError(f"malformed data_type {value!r}", key="data_type")
    name = value["name"]
    if name in _SIMPLE or name in _STRING_NAMES or name == "variable_length_bytes":
        base = parse_data_type(name)
        return V3DataType(value, base.dtype, base.category)
    if name == "fixed_length_utf32":
        nbytes = _int_config(value, "length_bytes", name)
        if nbytes % 4:
            raise MetadataError("fixed_length_utf32 length_bytes must be a multiple of 4")
        return V3DataType(value, np.dtype(f"<U{nbytes // 4}"), "utf32")
    if name == "null_terminated_bytes":
        return V3DataType(
            value, np.dtype(f"S{_int_config(value, 'length_bytes', name)}"), "fixed_bytes"
        )
    if name == "raw_bytes":
        return V3DataType(value, np.dtype(f"V{_int_config(value, 'length_bytes', name)}"), "raw")
    if name in ("numpy.datetime64", "numpy.timedelta64"):
        unit = _config(value, "unit", name)
        scale = _int_config(value, "scale_factor", name)
        if unit not in _TIME_UNITS:
            raise MetadataError(f"{name} has unknown unit {unit!r}", key="data_type")
        code = "M8" if name == "numpy.datetime64" else "m8"
        category = "datetime" if code == "M8" else "timedelta"
        prefix = "" if scale == 1 else str(scale)
        return V3DataType(value, np.dtype(f"<{code}[{prefix}{unit}]"), category)
    if name == "structured":
        fields = _config(value, "fields", name)
        if not isinstance(fields, list) or not fields:
            raise MetadataError("structured data type needs a list of fields", key="data_type")
        parts: list[tuple[str, np.dtype[Any]]] = []
        for field in fields:
            if not (isinstance(field, list) and len(field) == 2 and isinstance(field[0], str)):
                raise MetadataError(f"malformed structured field {field!r}", key="data_type")
            parts.append((field[0], parse_data_type(field[1]).dtype))
        return V3DataType(value, np.dtype(parts), "structured")
    raise UnsupportedError(f"unsupported zarr v3 data type {name!r}", key="data_type")


def _int_config(value: JSON, key: str, what: str) -> int:
    raw = _config(value, key, what)
    if not isinstance(raw, int) or isinstance(raw, bool) or raw <= 0:
        raise MetadataError(f"data_type {what}: {key} must be a positive integer")
    return raw


def _category_of_kind(dt: np.dtype[Any]) -> str:
    return {"b": "bool", "i": "int", "u": "uint", "f": "float", "c": "complex"}[dt.kind]


def data_type_from_numpy(dtype: Any, *, variable_length_bytes: bool = False) -> V3DataType:
    """The v3 data type zarr-python 3.1 writes for a NumPy dtype (or ``str``/``bytes``)."""
    if dtype is str or (isinstance(dtype, str) and dtype in _STRING_NAMES):
        return parse_data_type("string")
    if dtype is bytes or dtype == "variable_length_bytes":
        return parse_data_type("variable_length_bytes")
    if isinstance(dtype, V3DataType):
        return dtype
    dt = np.dtype(dtype)
    if dt.kind == "O":
        if variable_length_bytes:
            return parse_data_type("variable_length_bytes")
        return parse_data_type("string")
    if dt.kind == "T":  # numpy 2 StringDType
        return parse_data_type("string")
    key = (dt.kind, dt.itemsize)
    if dt.kind in "biufc" and key in _SIMPLE_BY_KEY:
        return parse_data_type(_SIMPLE_BY_KEY[key])
    if dt.kind == "U":
        return parse_data_type(
            {"name": "fixed_length_utf32", "configuration": {"length_bytes": dt.itemsize}}
        )
    if dt.kind == "S":
        return parse_data_type(
            {"name": "null_terminated_bytes", "configuration": {"length_bytes": dt.itemsize}}
        )
    if dt.kind == "V" and dt.fields is None:
        return parse_data_type(
            {"name": "raw_bytes", "configuration": {"length_bytes": dt.itemsize}}
        )
    if dt.kind in "Mm":
        unit, count = np.datetime_data(dt)
        name = "numpy.datetime64" if dt.kind == "M" else "numpy.timedelta64"
        return parse_data_type(
            {"name": name, "configuration": {"unit": unit, "scale_factor": int(count)}}
        )
    if dt.fields is not None:
        fields = []
        for field_name in dt.names or ():
            field_dt = dt.fields[field_name][0]
            if field_dt.subdtype is not None:
                raise UnsupportedError(
                    "structured fields with sub-array shapes are not supported in zarr v3"
                )
            fields.append([field_name, data_type_from_numpy(field_dt).json])
        return parse_data_type({"name": "structured", "configuration": {"fields": fields}})
    raise UnsupportedError(f"no zarr v3 data type for NumPy dtype {dt.str!r}")


# -- fill values --------------------------------------------------------------------------

_SPECIAL_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _parse_float(value: JSON, dt: np.dtype[Any]) -> Any:
    if isinstance(value, bool):
        raise MetadataError(f"fill_value {value!r} is not a number", key="fill_value")
    if isinstance(value, int | float):
        return dt.type(value)
    if isinstance(value, str):
        if value in _SPECIAL_FLOATS:
            return dt.type(_SPECIAL_FLOATS[value])
        if value.startswith("0x"):
            try:
                raw = bytes.fromhex(value[2:])
            except ValueError:
                raise MetadataError(f"bad hex fill_value {value!r}", key="fill_value") from None
            if len(raw) != dt.itemsize:
                raise MetadataError(
                    f"hex fill_value {value!r} has {len(raw)} bytes, {dt} needs {dt.itemsize}",
                    key="fill_value",
                )
            return np.frombuffer(raw, dtype=dt.newbyteorder(">"))[0].astype(dt)
    if value is None:
        # strict JSON encoders write NaN as null (FORMATS pitfall 2): tolerate it.
        return dt.type(math.nan)
    raise MetadataError(f"fill_value {value!r} is not a valid {dt} value", key="fill_value")


def _b64(value: JSON, size: int | None) -> bytes:
    if not isinstance(value, str):
        raise MetadataError(f"fill_value {value!r} must be a base64 string", key="fill_value")
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raw = value.encode("utf-8")  # tolerate raw strings as zarr-python 2 did (pitfall 17)
    if size is not None:
        raw = raw[:size].ljust(size, b"\x00")
    return raw


def parse_fill_value(value: JSON, data_type: V3DataType) -> Any:
    """Turn the JSON ``fill_value`` into a NumPy scalar (or str/bytes for vlen types)."""
    dt = data_type.dtype
    cat = data_type.category
    try:
        if cat == "bool":
            if isinstance(value, bool):
                return np.bool_(value)
            if isinstance(value, int) and value in (0, 1):
                return np.bool_(value)
            raise MetadataError(f"bool fill_value {value!r} invalid", key="fill_value")
        if cat in ("int", "uint", "datetime", "timedelta"):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if cat in ("datetime", "timedelta") and value == "NaT":
                value = np.iinfo(np.int64).min
            if not isinstance(value, int) or isinstance(value, bool):
                raise MetadataError(f"fill_value {value!r} is not an integer", key="fill_value")
            if cat in ("datetime", "timedelta"):
                return np.array(value, dtype="<i8").view(dt)[()]
            info = np.iinfo(dt)
            if not info.min <= value <= info.max:
                raise MetadataError(f"fill_value {value} out of range for {dt}", key="fill_value")
            return dt.type(value)
        if cat == "float":
            return _parse_float(value, dt)
        if cat == "complex":
            if not isinstance(value, list) or len(value) != 2:
                raise MetadataError(
                    f"complex fill_value {value!r} must be [re, im]", key="fill_value"
                )
            part = np.dtype(f"f{dt.itemsize // 2}")
            re_, im = _parse_float(value[0], part), _parse_float(value[1], part)
            out = np.zeros((), dtype=dt)
            out.real = re_
            out.imag = im
            return out[()]
        if cat == "string":
            if not isinstance(value, str):
                raise MetadataError(
                    f"string fill_value {value!r} must be a string", key="fill_value"
                )
            return value
        if cat == "bytes":
            if isinstance(value, list):
                return bytes(value)
            return _b64(value, None)
        if cat == "utf32":
            if not isinstance(value, str):
                raise MetadataError(f"fill_value {value!r} must be a string", key="fill_value")
            return np.array(value, dtype=dt)[()]
        if cat == "fixed_bytes":
            return np.array(_b64(value, dt.itemsize), dtype=dt)[()]
        if cat in ("raw", "structured"):
            if isinstance(value, list) and cat == "raw":
                raw = bytes(int(v) for v in value)
            elif isinstance(value, int) and value == 0:
                raw = b"\x00" * dt.itemsize
            else:
                raw = _b64(value, None)
            if len(raw) != dt.itemsize:
                raise MetadataError(
                    f"fill_value has {len(raw)} bytes, {data_type.name} needs {dt.itemsize}",
                    key="fill_value",
                )
            return np.frombuffer(raw, dtype=dt)[0]
    except (TypeError, ValueError, OverflowError) as exc:
        if isinstance(exc, MetadataError):
            raise
        raise MetadataError(f"invalid fill_value {value!r}: {exc}", key="fill_value") from exc
    raise UnsupportedError(f"fill_value for {data_type.name} not supported")


def _float_json(value: Any, dt: np.dtype[Any]) -> JSON:
    scalar = dt.type(value)
    if np.isnan(scalar):
        canonical = dt.type(math.nan)
        if scalar.tobytes() == canonical.tobytes():
            return "NaN"
        return "0x" + np.array(scalar, dtype=dt).astype(dt.newbyteorder(">")).tobytes().hex()
    if np.isinf(scalar):
        return "Infinity" if scalar > 0 else "-Infinity"
    return float(scalar)


def fill_value_to_json(value: Any, data_type: V3DataType) -> JSON:
    """The JSON zarr-python 3.1 writes for a fill value of ``data_type``."""
    dt = data_type.dtype
    cat = data_type.category
    if cat == "bool":
        return bool(value)
    if cat in ("int", "uint"):
        return int(value)
    if cat in ("datetime", "timedelta"):
        return int(np.array(value, dtype=dt).view("<i8")[()])
    if cat == "float":
        return _float_json(value, dt)
    if cat == "complex":
        part = np.dtype(f"f{dt.itemsize // 2}")
        c = complex(value)
        return [_float_json(c.real, part), _float_json(c.imag, part)]
    if cat == "string":
        return "" if value is None or value == 0 else str(value)
    if cat == "bytes":
        raw = b"" if value is None or value == 0 else bytes(value)
        return base64.b64encode(raw).decode("ascii")
    if cat == "utf32":
        return "" if value is None or value == 0 else str(value)
    if cat == "fixed_bytes":
        raw = b"" if value is None or (isinstance(value, int) and value == 0) else bytes(value)
        return base64.b64encode(raw.rstrip(b"\x00")).decode("ascii")
    if cat in ("raw", "structured"):
        if value is None or (isinstance(value, int) and value == 0):
            raw = b"\x00" * dt.itemsize
        else:
            raw = np.array(value, dtype=dt).tobytes()
        return base64.b64encode(raw).decode("ascii")
    raise UnsupportedError(f"fill_value for {data_type.name} not supported")


def default_fill_value(data_type: V3DataType) -> Any:
    """The fill value zarr-python 3.1 uses when none is given."""
    cat = data_type.category
    if cat == "string":
        return ""
    if cat == "bytes":
        return b""
    if cat in ("datetime", "timedelta"):
        return np.array(np.iinfo(np.int64).min, dtype="<i8").view(data_type.dtype)[()]
    return np.zeros((), dtype=data_type.dtype)[()]


def coerce_fill_value(value: Any, data_type: V3DataType) -> Any:
    """Normalise a user-supplied fill value (None = default) to what parse would return."""
    if value is None:
        return default_fill_value(data_type)
    return parse_fill_value(fill_value_to_json(value, data_type), data_type)
