"""S3 store over s3fs, with zarr-python 2.x ``FSStore`` layout (``bucket/prefix/key``).

URL: ``s3://bucket/prefix`` (``?endpoint_url=&region=&profile=&anon=true`` are accepted as
defaults for the options of the same name; secrets only as options). Options:
``endpoint_url`` (e.g. MinIO or moto), ``key`` and
``secret`` (and ``token``), ``anon=True`` for public buckets, ``profile`` (a named AWS
profile), ``region``; anything unset comes from the usual AWS environment variables and
config files through botocore. Plus the robustness options of
:class:`zarrcore.store.remote.RemoteOptions`.

A missing bucket is reported once, at open, as :class:`NotFoundError` naming the bucket;
a missing key is a plain not-found; a 403 or bad credentials is :class:`AuthenticationError`.
"""

from __future__ import annotations

import threading
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

_SESSION_LOCK = threading.Lock()
_SESSION: Any = None


def _shared_session() -> Any:
    """One aiobotocore session for all stores with explicit credentials (or anonymous).

    Creating a session loads botocore's service models (~0.2 s); clients made from it
    still get their own credentials, endpoint and config.
    """
    global _SESSION
    with _SESSION_LOCK:
        if _SESSION is None:
            from aiobotocore.session import AioSession

            _SESSION = AioSession()
        return _SESSION


class S3Store(FsspecStore):
    """Keys are objects ``{bucket}/{prefix}/{key}``."""

    @classmethod
    def from_url(cls, url: str, *, read_only: bool, **options: Any) -> S3Store:
        s3fs = require("s3fs", "s3", url=url)
        options = dict(options)
        query_defaults(url, ("endpoint_url", "region", "profile", "anon"), options)
        opts = RemoteOptions.pop_from(options)
        parts = urlsplit(url)
        bucket = parts.netloc
        if not bucket:
            raise StoreError("an s3:// URL needs a bucket: s3://bucket/prefix", url=url)
        prefix = parts.path.strip("/")
        check_bucket = bool(options.pop("check_bucket", True))
        fs_kwargs: dict[str, Any] = {
            "anon": bool(options.pop("anon", False)),
            "key": options.pop("key", None),
            "secret": options.pop("secret", None),
            "token": options.pop("token", None),
            "endpoint_url": options.pop("endpoint_url", None),
            "use_listings_cache": False,  # other writers change the bucket under us
            "skip_instance_cache": True,  # never share credentials/state between stores
            "max_concurrency": opts.max_concurrency,
            "config_kwargs": {
                "connect_timeout": opts.connect_timeout_s,
                "read_timeout": opts.timeout_s,
                "retries": {"max_attempts": opts.retries + 1, "mode": "standard"},
            },
        }
        profile = options.pop("profile", None)
        if profile:
            fs_kwargs["profile"] = profile
        elif fs_kwargs["anon"] or (fs_kwargs["key"] and fs_kwargs["secret"]):
            # explicit credentials: share the session (a session resolves and caches the
            # default credential chain, so stores relying on it each get their own)
            fs_kwargs["session"] = _shared_session()
        region = options.pop("region", None)
        if region:
            fs_kwargs["client_kwargs"] = {"region_name": region}
        unknown_options("s3", options, url)
        fs = s3fs.S3FileSystem(**fs_kwargs)
        fs.retries = opts.retries + 1  # s3fs's own retry loop for transient read errors
        store = cls(fs, f"{bucket}/{prefix}", url=url, read_only=read_only, options=opts)
        store.bucket = bucket
        if check_bucket:
            store.check_bucket()
        return store

    bucket: str = ""

    def check_bucket(self) -> None:
        """Raise NotFoundError if the bucket does not exist (one HEAD request).

        Denied access to the bucket itself is not an error here: a reader may be allowed
        to get objects without being allowed to list or head the bucket.
        """
        bucket = self.bucket or self.root.split("/", 1)[0]

        def head() -> Any:
            return self.fs.call_s3("head_bucket", Bucket=bucket)

        try:
            head()
        except FileNotFoundError:
            raise NotFoundError(f"bucket {bucket!r} does not exist", url=self.url) from None
        except PermissionError:
            return  # the server denied the HEAD; reads will tell
        except Exception as exc:  # no credentials at all, server down, ...
            raise self._translate(exc, None) from None
