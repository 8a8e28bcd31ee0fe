"""The ``pickle`` object codec, for callers who explicitly opted in (``allow_pickle=True``).

The registry refuses ``pickle`` configs unless the caller passed ``allow_pickle=True``, so
this codec is only ever built after that explicit opt-in. numcodecs' own Pickle refuses to
decode unless a process-wide switch is flipped; we keep that switch untouched and decode
here instead, for that one array only.
"""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
from numcodecs.compat import ensure_bytes

from zarrcore.codecs.registry import register_codec


class TrustedPickle:
    """Pickle of a whole object array, numcodecs-compatible (same bytes as numcodecs)."""

    codec_id = "pickle"

    def __init__(self, protocol: int = pickle.HIGHEST_PROTOCOL) -> None:
        self.protocol = protocol

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> TrustedPickle:
        return cls(**config)

    def get_config(self) -> dict[str, Any]:
        return {"id": self.codec_id, "protocol": self.protocol}

    def encode(self, buf: Any) -> bytes:
        return pickle.dumps(np.asarray(buf, dtype=object), protocol=self.protocol)

    def decode(self, buf: Any, out: Any = None) -> Any:
        decoded = pickle.loads(ensure_bytes(buf))
        if out is not None:
            out[...] = decoded
            return out
        return decoded


register_codec("pickle", TrustedPickle)
