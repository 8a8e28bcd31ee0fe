"""Decode an inner chunk straight into memory the caller owns: the sharded-read hot path.

A sharded slice decodes dozens of small inner chunks per shard. The general path
(:func:`zarrcore.codecs.v3_chain.guarded_decode`) allocates a fresh bytes object per chunk,
wraps it in an array, then copies the selected part into the output: three Python-level
steps and a cold 128 KiB allocation per chunk, all but the decode itself holding the GIL.
For the most common inner chain, ``[bytes (native order), blosc]``, :class:`DirectDecoder`
decodes the blosc frame with python-blosc straight to an address: the output itself when
the inner chunk is one contiguous run of it, else a per-thread scratch buffer that stays in
the CPU cache, from which NumPy copies (GIL released) into the output.

Anything unusual (another chain, a frame whose header does not describe exactly the chunk,
a decoding error) makes :meth:`DirectDecoder.into` return False: the caller then takes the
general path, which reports malformed data in its own words.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import numpy as np

from zarrcore.codecs import blosc_fast

if TYPE_CHECKING:
    from zarrcore.codecs.v3_chain import CodecChain

#: largest scratch buffer kept per thread between reads (bigger ones are allocated per use)
SCRATCH_KEEP_NBYTES = 8 << 20

_local = threading.local()


def address(array: np.ndarray) -> int:
    """The address of an array's first byte."""
    data: int = array.__array_interface__["data"][0]
    return data


def scratch(shape: tuple[int, ...], dtype: np.dtype[Any]) -> tuple[np.ndarray, int]:
    """A C-contiguous array of ``shape`` for this thread only, and its address.

    The same buffer comes back on the next call with the same shape and dtype, so decoding
    chunk after chunk reuses memory that is already mapped and cached.
    """
    cached: tuple[tuple[int, ...], np.dtype[Any], np.ndarray, int] | None = getattr(
        _local, "buffer", None
    )
    if cached is not None and cached[0] == shape and cached[1] == dtype:
        return cached[2], cached[3]
    buffer = np.empty(shape, dtype=dtype)
    addr = address(buffer)
    if buffer.nbytes <= SCRATCH_KEEP_NBYTES:
        _local.buffer = (shape, dtype, buffer, addr)
    return buffer, addr


class DirectDecoder:
    """Decodes one ``[bytes, blosc]`` inner chunk to a raw address (see the module doc)."""

    def __init__(self, nbytes: int) -> None:
        self.nbytes = nbytes

    @classmethod
    def for_chain(cls, chain: CodecChain) -> DirectDecoder | None:
        """A decoder for ``chain`` when its stored bytes are exactly one blosc frame of the
        chunk in native byte order, and python-blosc is installed; else None."""
        from zarrcore.codecs.v3_codecs import BytesCodec, RegistryBytesCodec

        spec = chain.spec
        if not blosc_fast.available() or chain.array_array or spec.dtype.hasobject:
            return None
        if not isinstance(chain.array_bytes, BytesCodec) or len(chain.bytes_bytes) != 1:
            return None
        if spec.data_type.is_variable_length or not spec.dtype.isnative:
            return None
        if chain.array_bytes._stored_dtype(spec) != spec.dtype:
            return None
        compressor = chain.bytes_bytes[0]
        if not isinstance(compressor, RegistryBytesCodec) or not compressor._fast_blosc:
            return None
        return cls(spec.nbytes)

    def into(self, data: memoryview, target: int) -> bool:
        """Decode the frame ``data`` to ``target`` (an address with room for the chunk);
        False, with ``target`` possibly half written, when this path does not apply."""
        try:
            return blosc_fast.decompress_to(data, target, self.nbytes)
        except Exception:  # the general path decodes again and names the error
            return False
