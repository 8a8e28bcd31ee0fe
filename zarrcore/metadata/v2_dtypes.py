"""zarr v2 dtype and fill_value encoding (FORMATS.md 1.2 and 1.3). Pure functions."""

from __future__ import annotations

import base64
import binascii
import functools
import math
from typing import Any

import numpy as np

from zarrcore.errors import MetadataError

_FLOAT_TOKENS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _descr_to_numpy(value: Any) -> Any:
    """JSON lists of fields -> numpy's list-of-tuples descr (recursively for nesting)."""
    if isinstance(value, list):
        fields = []
        for field in value:
            if not isinstance(field, list | tuple) or len(field) not in (2, 3):
                raise ValueError(f"bad structured field {field!r}")
            name, typ, *rest = field
            if not isinstance(name, str):
                raise ValueError(f"bad field name {name!r}")
            entry: tuple[Any, ...] = (name, _descr_to_numpy(typ))
            if rest:
                entry += (tuple(rest[0]) if isinstance(rest[0], list) else rest[0],)
            fields.append(entry)
        return fields
    if not isinstance(value, str):
        raise ValueError(f"bad dtype {value!r}")
    return value


def parse_dtype(value: Any, *, url: str | None = None, key: str | None = None) -> np.dtype[Any]:
    """A ``.zarray`` ``dtype`` value (string or structured list) -> numpy dtype."""
    try:
        dtype: np.dtype[Any] = np.dtype(_descr_to_numpy(value))
    except (TypeError, ValueError) as exc:
        raise MetadataError(f"invalid dtype {value!r}: {exc}", url=url, key=key) from None
    return dtype


def encode_dtype(dtype: np.dtype[Any]) -> Any:
    """numpy dtype -> JSON value, as zarr-python 2 writes it (``str`` or ``descr``)."""
    if dtype.fields is None:
        return dtype.str
    return _tuples_to_lists(dtype.descr)


def _tuples_to_lists(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_tuples_to_lists(item) for item in value]
    return value


def _int64_like(dtype: np.dtype[Any]) -> np.dtype[Any]:
    """int64 with the byte order of a datetime64/timedelta64 dtype."""
    return np.dtype("i8").newbyteorder(dtype.byteorder)


def _decode_float(value: Any, dtype: np.dtype[Any]) -> Any:
    if isinstance(value, str):
        if value in _FLOAT_TOKENS:
            return dtype.type(_FLOAT_TOKENS[value])
        try:  # other writers' spellings: "nan", "inf", "-inf", "1.5"
            return dtype.type(float(value))
        except ValueError:
            raise ValueError(f"not a float fill value: {value!r}") from None
    return np.array(value, dtype=dtype)[()]


@functools.lru_cache(maxsize=64)
def _int_range(dtype: np.dtype[Any]) -> tuple[int, int]:
    """(min, max) of an integer dtype; np.iinfo is slow enough to show in big listings."""
    info = np.iinfo(dtype)
    return int(info.min), int(info.max)


def decode_fill_value(value: Any, dtype: np.dtype[Any], *, object_codec: Any = None) -> Any:
    """The JSON ``fill_value`` of a v2 array -> numpy scalar / Python object / None.

    Raises ValueError when the value does not fit the dtype.
    """
    if value is None:
        return None
    kind = dtype.kind
    if kind == "f":
        return _decode_float(value, dtype)
    if kind == "c":
        if not isinstance(value, list | tuple) or len(value) != 2:
            raise ValueError(f"complex fill value must be [re, im], got {value!r}")
        part = np.dtype(
            f"{dtype.byteorder if dtype.byteorder != '=' else ''}f{dtype.itemsize // 2}"
        )
        re, im = (_decode_float(item, part) for item in value)
        return dtype.type(complex(float(re), float(im)))
    if kind in "Mm":
        if isinstance(value, str):
            # tolerate an ISO string or "NaT" written by other tools
            return np.array(value, dtype=dtype)[()]
        return np.array(int(value), dtype=_int64_like(dtype)).view(dtype)[()]
    if kind == "S":
        if isinstance(value, str):
            try:
                raw = base64.standard_b64decode(value.encode("ascii"))
            except (binascii.Error, UnicodeEncodeError, ValueError):
                raw = value.encode("utf-8")  # pre-base64 data stored the raw string
            return np.array(raw, dtype=dtype)[()]
        return np.array(value, dtype=dtype)[()]
    if kind == "V":
        if dtype.hasobject:
            if object_codec is None:
                raise ValueError("structured fill value with object fields needs an object codec")
            raw = base64.standard_b64decode(str(value).encode("ascii"))
            return object_codec.decode(raw)
        if isinstance(value, str):
            raw = base64.standard_b64decode(value.encode("ascii"))
            if not raw:  # zarr-python 3 writes "" for the default fill
                return np.zeros((), dtype=dtype)[()]
            if len(raw) != dtype.itemsize:
                raise ValueError(f"fill value has {len(raw)} bytes, dtype needs {dtype.itemsize}")
            return np.frombuffer(raw, dtype=dtype)[0]
        return np.array(value, dtype=dtype)[()]
    if kind == "U":
        if not isinstance(value, str):
            value = str(value)
        return np.array(value, dtype=dtype)[()]
    if kind == "O":
        return value
    if kind == "b":
        if isinstance(value, bool | int | float) and value in (0, 1):
            return np.bool_(bool(value))
        raise ValueError(f"not a bool fill value: {value!r}")
    if kind in "iu":
        if isinstance(value, float):
            if not value.is_integer():
                raise ValueError(f"not an integer fill value: {value!r}")
            value = int(value)
        if isinstance(value, bool):
            value = int(value)
        if not isinstance(value, int):
            raise ValueError(f"not an integer fill value: {value!r}")
        low, high = _int_range(dtype)
        if not low <= value <= high:
            raise ValueError(f"fill value {value} out of range for {dtype}")
        return dtype.type(value)
    return np.array(value, dtype=dtype)[()]


def _encode_float(value: Any) -> Any:
    number = float(value)
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    return number


def encode_fill_value(value: Any, dtype: np.dtype[Any], *, object_codec: Any = None) -> Any:
    """A fill value (already normalised) -> the JSON zarr-python 2 writes."""
    if value is None:
        return None
    kind = dtype.kind
    if kind == "f":
        return _encode_float(value)
    if kind == "c":
        number = complex(value)
        return [_encode_float(number.real), _encode_float(number.imag)]
    if kind in "iu":
        return int(value)
    if kind == "b":
        return bool(value)
    if kind in "Mm":
        return int(np.array(value, dtype=dtype).view(_int64_like(dtype)))
    if kind == "V" and dtype.hasobject:
        if object_codec is None:
            raise ValueError("structured fill value with object fields needs an object codec")
        return base64.standard_b64encode(bytes(object_codec.encode(value))).decode("ascii")
    if kind == "S":
        # like zarr-python 2: the bytes value without trailing NULs
        raw = bytes(np.array(value, dtype=dtype)[()])
        return base64.standard_b64encode(raw).decode("ascii")
    if kind == "V":
        raw = np.array(value, dtype=dtype).tobytes()
        return base64.standard_b64encode(raw).decode("ascii")
    if kind == "U":
        return str(value)
    return value  # object: JSON value as given


def normalize_fill_value(value: Any, dtype: np.dtype[Any]) -> Any:
    """A user-given fill value -> the value stored (zarr-python 2 rules)."""
    if value is None or dtype.hasobject:
        return value
    if not isinstance(value, np.void | bytes | str) and _is_zero(value):
        return np.zeros((), dtype=dtype)[()]
    if dtype.kind == "U":
        if not isinstance(value, str):
            raise ValueError(f"fill value for {dtype} must be a str, got {value!r}")
        return np.array(value, dtype=dtype)[()]
    if isinstance(value, bytes) and dtype.kind == "V":
        return np.frombuffer(value, dtype=dtype)[0]
    if isinstance(value, str) and dtype.kind == "f" and value in _FLOAT_TOKENS:
        return dtype.type(_FLOAT_TOKENS[value])
    try:
        return np.array(value, dtype=dtype)[()]
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(f"fill value {value!r} does not fit dtype {dtype}: {exc}") from None


def _is_zero(value: Any) -> bool:
    try:
        return bool(value == 0)
    except (TypeError, ValueError):
        return False
