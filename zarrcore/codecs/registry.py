"""zarrcore's own codec registry (v2 / numcodecs-style configs ``{"id": ..., ...}``).

``get_codec`` looks up zarrcore's table first (our tolerant gzip/zlib/zstd, N5 codecs
registered by ``zarrcore.codecs.n5*``), then falls back to ``numcodecs.get_codec``. We never
write into numcodecs' global registry: zarr-python registers its own codecs there (e.g.
``n5_wrapper``) and the tests import both.

A codec class registered here needs ``from_config(config_without_id)`` (a classmethod, as in
numcodecs) plus ``encode``/``decode`` with numcodecs semantics (``decode(buf, out=None)``)
and ``get_config()``.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Mapping
from typing import Any, Protocol

from zarrcore.errors import PickleRefusedError, UnsupportedCodecError


class Codec(Protocol):
    """The numcodecs codec protocol zarrcore relies on."""

    codec_id: str | None

    def encode(self, buf: Any) -> Any: ...

    def decode(self, buf: Any, out: Any = None) -> Any: ...

    def get_config(self) -> dict[str, Any]: ...


class CodecFactory(Protocol):
    def from_config(self, config: dict[str, Any]) -> Codec: ...


_TABLE: dict[str, CodecFactory] = {}
_lock = threading.Lock()
_builtins_loaded = False

#: modules that register zarrcore's own codecs when imported (missing ones are skipped)
BUILTIN_MODULES = (
    "zarrcore.codecs.tolerant",
    "zarrcore.codecs.trusted_pickle",
    "zarrcore.codecs.n5",
)


def register_codec(codec_id: str, cls: Any) -> None:
    """Register ``cls`` (anything with ``from_config``) for ``codec_id`` in zarrcore only."""
    with _lock:
        _TABLE[codec_id] = cls


def registered_ids() -> list[str]:
    _load_builtins()
    return sorted(_TABLE)


def _load_builtins() -> None:
    global _builtins_loaded
    if _builtins_loaded:
        return
    for name in BUILTIN_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    _builtins_loaded = True


def get_codec(
    config: Mapping[str, Any],
    *,
    url: str | None = None,
    key: str | None = None,
    allow_pickle: bool = False,
) -> Codec:
    """Instantiate the codec a config names.

    Raises UnsupportedCodecError (unknown id, bad parameters, missing optional library)
    and PickleRefusedError for ``pickle`` unless ``allow_pickle``; both name url and key.
    """
    _load_builtins()
    if not isinstance(config, Mapping) or not isinstance(config.get("id"), str):
        raise UnsupportedCodecError(f"invalid codec config {config!r}", url=url, key=key)
    params = dict(config)
    codec_id = str(params.pop("id"))
    if codec_id == "pickle" and not allow_pickle:
        raise PickleRefusedError(
            "pickle-encoded object array: refused (unpickling runs arbitrary code); "
            "open with allow_pickle=True only if you trust this data",
            url=url,
            key=key,
        )
    factory = _TABLE.get(codec_id)
    try:
        try:
            return _instantiate(codec_id, factory, params)
        except TypeError:
            # other writers add parameters a codec does not take (e.g. "nthreads" for
            # blosc); they do not change decoding, so retry without them
            trimmed = _known_parameters(codec_id, factory, params)
            if trimmed is None or trimmed == params:
                raise
            return _instantiate(codec_id, factory, trimmed)
    except (ValueError, TypeError, KeyError, ImportError, RuntimeError) as exc:
        reason = str(exc) or type(exc).__name__
        if isinstance(exc, ValueError) and "codec not available" in reason:
            reason = "no implementation installed"
        raise UnsupportedCodecError(
            f"unsupported codec {codec_id!r}: {reason}", url=url, key=key
        ) from exc


def _instantiate(codec_id: str, factory: CodecFactory | None, params: dict[str, Any]) -> Codec:
    if factory is not None:
        return factory.from_config(dict(params))
    import numcodecs

    codec: Codec = numcodecs.get_codec({"id": codec_id, **params})
    return codec


def _known_parameters(codec_id: str, factory: Any, params: dict[str, Any]) -> dict[str, Any] | None:
    """``params`` restricted to what the codec's constructor accepts, or None if unknown."""
    import inspect

    cls = factory
    if cls is None:
        from numcodecs.registry import codec_registry

        cls = codec_registry.get(codec_id)
    if cls is None:
        return None
    try:
        signature = inspect.signature(cls.__init__)
    except (TypeError, ValueError):
        return None
    accepted = signature.parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in accepted.values()):
        return None
    return {k: v for k, v in params.items() if k in accepted}
