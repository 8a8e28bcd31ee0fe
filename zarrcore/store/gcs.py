"""Google Cloud Storage store over gcsfs (optional extra), zarr-python 2.x ``FSStore`` layout.

URL: ``gs://bucket/prefix`` (or ``gcs://``). Options: ``token`` (gcsfs's: a service-account
JSON path, ``"anon"``, ``"google_default"``, ...), ``anon=True``, ``project``,
``endpoint_url`` (an emulator such as fake-gcs-server), plus the robustness options of
:class:`zarrcore.store.remote.RemoteOptions`. ``fs=`` takes a ready fsspec filesystem
instead (tests pass fsspec's in-memory filesystem: the key mapping, batching and error
translation are the shared :class:`~zarrcore.store.fsspec_store.FsspecStore` code).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from zarrcore.errors import NotFoundError, StoreError
from zarrcore.store.fsspec_store import FsspecStore
from zarrcore.store.remote import (
    RemoteOptions,
    query_defaults,
    require,
    unknown_options,
)


class GCSStore(FsspecStore):
    """Keys are objects ``{bucket}/{prefix}/{key}``."""

    @classmethod
    def from_url(cls, url: str, *, read_only: bool, **options: Any) -> GCSStore:
        options = dict(options)
        query_defaults(url, ("project", "anon", "endpoint_url"), options)
        opts = RemoteOptions.pop_from(options)
        parts = urlsplit(url)
        bucket = parts.netloc
        if not bucket:
            raise StoreError("a gs:// URL needs a bucket: gs://bucket/prefix", url=url)
        root = f"{bucket}/{parts.path.strip('/')}".rstrip("/")
        check_bucket = bool(options.pop("check_bucket", True))
        fs = options.pop("fs", None)
        if fs is None:
            gcsfs = require("gcsfs", "gcs", url=url)
            token = "anon" if options.pop("anon", False) else options.pop("token", None)
            fs_kwargs: dict[str, Any] = {
                "token": token,
                "project": options.pop("project", None),
                "endpoint_url": options.pop("endpoint_url", None),
                "requests_timeout": opts.timeout_s,
                "skip_instance_cache": True,
                "use_listings_cache": False,
            }
            fs = gcsfs.GCSFileSystem(**{k: v for k, v in fs_kwargs.items() if v is not None})
            fs.retries = opts.retries + 1
        unknown_options("gcs", options, url)
        store = cls(fs, root, url=url, read_only=read_only, options=opts)
        if check_bucket:
            store.check_bucket(bucket)
        return store

    def check_bucket(self, bucket: str) -> None:
        """Raise NotFoundError if the bucket does not exist (access denied is not checked)."""
        try:
            exists = self._call(lambda: self.fs.exists(self.fs._strip_protocol(bucket)), None)
        except PermissionError:
            return
        if not exists:
            raise NotFoundError(f"bucket {bucket!r} does not exist", url=self.url)
