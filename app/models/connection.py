"""Connection settings for each kind of store, kept in sync with a URL.

One dataclass per kind (local, Redis, MongoDB, S3, Azure Blob, GCS, HTTP). Each knows:

- ``to_url()``: the shareable URL, with every non-secret setting and **no secret** (safe for
  window titles, recent lists, logs);
- ``from_url(url)``: the reverse; secrets embedded in a pasted URL (``user:password@``,
  ``?sas_token=``) are moved into the secret fields so they never stay in the URL text;
- ``open_url()`` and ``store_options()``: what ``zarrcore.open_store(open_url(), **options)``
  needs, secrets included (only in the options, never in the URL);
- ``secret_fields``: the fields that must not be shown, logged or saved in plain files.

Secret fields are excluded from ``repr`` so a connection can be logged safely.
"""

from __future__ import annotations

import base64
import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from zarrcore.errors import UnsupportedError


def _secret(default: str = "") -> Any:
    return field(default=default, repr=False, metadata={"secret": True})


def _query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def _truthy(text: str | None) -> bool:
    return (text or "").strip().lower() in {"1", "true", "yes", "on"}


def _with_query(base: str, params: dict[str, str]) -> str:
    kept = {k: v for k, v in params.items() if v != ""}
    return f"{base}?{urlencode(kept, safe='/:')}" if kept else base


def _split_bucket(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return unquote(parts.netloc), unquote(parts.path).strip("/")


def _bucket_url(scheme: str, bucket: str, prefix: str) -> str:
    prefix = prefix.strip("/")
    return f"{scheme}://{bucket}/{quote(prefix)}" if prefix else f"{scheme}://{bucket}"


@dataclass
class Connection:
    """Base class. Subclasses are dataclasses whose secret fields use ``_secret()``."""

    kind: ClassVar[str] = ""
    title: ClassVar[str] = ""
    schemes: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def secret_fields(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls) if f.metadata.get("secret"))

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))

    def public_fields(self) -> dict[str, Any]:
        """Every non-secret field, for saving in a profile file."""
        secrets = self.secret_fields()
        return {k: v for k, v in dataclasses.asdict(self).items() if k not in secrets}

    def secrets(self) -> dict[str, str]:
        """The secret fields that are set."""
        return {name: getattr(self, name) for name in self.secret_fields() if getattr(self, name)}

    def has_secrets(self) -> bool:
        return bool(self.secrets())

    def to_url(self) -> str:
        raise NotImplementedError

    def open_url(self) -> str:
        """The URL handed to ``zarrcore.open_store`` (no secrets; they go in options)."""
        return self.to_url()

    def store_options(self) -> dict[str, Any]:
        """Keyword options for ``zarrcore.open_store(open_url(), **options)``."""
        return {}

    def describe(self) -> str:
        """A short title-safe label."""
        return self.to_url()

    def missing_fields(self) -> list[str]:
        """Required fields that are still empty (the dialog's Open waits for them)."""
        return []

    @classmethod
    def from_url(cls, url: str) -> Connection:
        raise NotImplementedError

    @classmethod
    def from_fields(cls, values: dict[str, Any]) -> Connection:
        """Build from a dict, ignoring unknown keys and coercing ints/bools."""
        kwargs: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if f.name not in values:
                continue
            value = values[f.name]
            if f.type in ("int", int):
                value = int(value)
            elif f.type in ("bool", bool):
                value = value if isinstance(value, bool) else _truthy(str(value))
            else:
                value = "" if value is None else str(value)
            kwargs[f.name] = value
        return cls(**kwargs)


@dataclass
class LocalConnection(Connection):
    """A folder (zarr v2/v3), a .zip file, an SQLite database or an N5 container."""

    kind: ClassVar[str] = "local"
    title: ClassVar[str] = "Local"
    schemes: ClassVar[tuple[str, ...]] = ("file", "zip", "sqlite", "n5")
    FORMATS: ClassVar[tuple[str, ...]] = ("auto", "directory", "zip", "sqlite", "n5")
    _SUFFIX: ClassVar[dict[str, tuple[str, ...]]] = {
        "zip": (".zip",),
        "sqlite": (".db", ".sqlite", ".sqlite3"),
        "n5": (".n5",),
    }

    path: str = ""
    format: str = "auto"

    def _suffix_format(self) -> str:
        lowered = self.path.rstrip("/\\").lower()
        for fmt, suffixes in self._SUFFIX.items():
            if lowered.endswith(suffixes):
                return fmt
        return "directory"

    def to_url(self) -> str:
        if self.format in ("auto", self._suffix_format()):
            return self.path
        if self.format == "directory":
            return f"file://{self.path}"
        if self.format == "sqlite":
            return f"sqlite:///{self.path}"
        return f"{self.format}://{self.path}"

    def describe(self) -> str:
        return self.path or "(no path)"

    def missing_fields(self) -> list[str]:
        return [] if self.path.strip() else ["path"]

    @classmethod
    def from_url(cls, url: str) -> LocalConnection:
        if "://" not in url:
            return cls(path=url, format="auto")
        scheme, rest = url.split("://", 1)
        scheme = scheme.lower()
        if scheme == "sqlite":
            # sqlite:////abs/path.db -> /abs/path.db
            path = rest[1:] if rest.startswith("/") else rest
            fmt = "sqlite"
        elif scheme == "file":
            path, fmt = rest, "auto"
        elif scheme in ("zip", "n5"):
            path, fmt = rest, scheme
        else:
            raise UnsupportedError(f"not a local URL scheme: {scheme!r}", url=url)
        conn = cls(path=unquote(path), format=fmt)
        if conn.format == conn._suffix_format():
            conn.format = "auto"
        return conn


@dataclass
class RedisConnection(Connection):
    kind: ClassVar[str] = "redis"
    title: ClassVar[str] = "Redis"
    schemes: ClassVar[tuple[str, ...]] = ("redis", "rediss")

    host: str = "127.0.0.1"
    port: int = 6379
    db: int = 0
    prefix: str = "zarr"
    username: str = ""
    tls: bool = False
    password: str = _secret()

    def to_url(self) -> str:
        scheme = "rediss" if self.tls else "redis"
        user = f"{quote(self.username, safe='')}@" if self.username else ""
        query = urlencode({"prefix": self.prefix})
        return f"{scheme}://{user}{self.host}:{self.port}/{self.db}?{query}"

    def open_url(self) -> str:
        return self.to_url()

    def store_options(self) -> dict[str, Any]:
        return {"password": self.password} if self.password else {}

    def describe(self) -> str:
        return f"Redis {self.host}:{self.port}/{self.db} prefix {self.prefix!r}"

    def missing_fields(self) -> list[str]:
        return [] if self.host.strip() else ["host"]

    @classmethod
    def from_url(cls, url: str) -> RedisConnection:
        parts = urlsplit(url)
        db_text = parts.path.strip("/")
        query = _query(url)
        return cls(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 6379,
            db=int(db_text) if db_text.isdigit() else int(query.get("db", "0") or 0),
            prefix=query.get("prefix", "zarr"),
            username=unquote(parts.username or ""),
            tls=parts.scheme.lower() == "rediss",
            password=unquote(parts.password or "") or query.get("password", ""),
        )


@dataclass
class MongoDBConnection(Connection):
    kind: ClassVar[str] = "mongodb"
    title: ClassVar[str] = "MongoDB"
    schemes: ClassVar[tuple[str, ...]] = ("mongodb",)

    host: str = "127.0.0.1"
    port: int = 27017
    database: str = "mongodb_zarr"
    collection: str = "zarr_collection"
    username: str = ""
    auth_source: str = ""
    password: str = _secret()

    def to_url(self) -> str:
        user = f"{quote(self.username, safe='')}@" if self.username else ""
        params = {"database": self.database, "collection": self.collection}
        if self.auth_source:
            params["authSource"] = self.auth_source
        return _with_query(f"mongodb://{user}{self.host}:{self.port}/", params)

    def store_options(self) -> dict[str, Any]:
        # pymongo takes the credentials as MongoClient keyword arguments (never in the URL)
        if not self.password:
            return {}
        return {"client_kwargs": {"username": self.username, "password": self.password}}

    def describe(self) -> str:
        return f"MongoDB {self.host}:{self.port} {self.database}.{self.collection}"

    def missing_fields(self) -> list[str]:
        return [n for n in ("host", "database", "collection") if not getattr(self, n).strip()]

    @classmethod
    def from_url(cls, url: str) -> MongoDBConnection:
        parts = urlsplit(url)
        query = _query(url)
        path_db = parts.path.strip("/")
        return cls(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 27017,
            database=query.get("database", path_db or "mongodb_zarr"),
            collection=query.get("collection", "zarr_collection"),
            username=unquote(parts.username or ""),
            auth_source=query.get("authSource", ""),
            password=unquote(parts.password or ""),
        )


@dataclass
class S3Connection(Connection):
    """Amazon S3 or any S3-compatible endpoint (MinIO, Ceph, moto, ...)."""

    kind: ClassVar[str] = "s3"
    title: ClassVar[str] = "S3"
    schemes: ClassVar[tuple[str, ...]] = ("s3",)

    bucket: str = ""
    prefix: str = ""
    endpoint_url: str = ""
    region: str = ""
    anonymous: bool = False
    profile: str = ""
    access_key_id: str = ""
    secret_access_key: str = _secret()
    session_token: str = _secret()

    def open_url(self) -> str:
        return _bucket_url("s3", self.bucket, self.prefix)

    def to_url(self) -> str:
        params = {
            "endpoint_url": self.endpoint_url,
            "region": self.region,
            "profile": self.profile,
            "anon": "true" if self.anonymous else "",
        }
        return _with_query(self.open_url(), params)

    def store_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {}
        if self.endpoint_url:
            options["endpoint_url"] = self.endpoint_url
        if self.region:
            options["region"] = self.region
        if self.anonymous:
            options["anon"] = True
            return options
        if self.profile:
            options["profile"] = self.profile
        if self.access_key_id:
            options["key"] = self.access_key_id
        if self.secret_access_key:
            options["secret"] = self.secret_access_key
        if self.session_token:
            options["token"] = self.session_token
        return options

    def missing_fields(self) -> list[str]:
        return [] if self.bucket.strip() else ["bucket"]

    @classmethod
    def from_url(cls, url: str) -> S3Connection:
        bucket, prefix = _split_bucket(url)
        query = _query(url)
        return cls(
            bucket=bucket,
            prefix=prefix,
            endpoint_url=query.get("endpoint_url", query.get("endpoint", "")),
            region=query.get("region", ""),
            anonymous=_truthy(query.get("anon", query.get("anonymous"))),
            profile=query.get("profile", ""),
        )


@dataclass
class AzureConnection(Connection):
    """Azure Blob Storage: account URL plus key, SAS token, or a whole connection string."""

    kind: ClassVar[str] = "azure"
    title: ClassVar[str] = "Azure Blob"
    schemes: ClassVar[tuple[str, ...]] = ("az", "abfs")
    AUTH: ClassVar[tuple[str, ...]] = ("connection_string", "account_key", "sas", "anonymous")

    container: str = ""
    prefix: str = ""
    account_url: str = ""
    auth: str = "connection_string"
    account_key: str = _secret()
    sas_token: str = _secret()
    connection_string: str = _secret()

    def open_url(self) -> str:
        return _bucket_url("az", self.container, self.prefix)

    def to_url(self) -> str:
        account_url = self.account_url or self.connection_string_endpoint()
        return _with_query(self.open_url(), {"account_url": account_url})

    def connection_string_endpoint(self) -> str:
        """The BlobEndpoint (or derived account URL) named in the connection string."""
        fields = dict(
            part.split("=", 1) for part in self.connection_string.split(";") if "=" in part
        )
        if "BlobEndpoint" in fields:
            return fields["BlobEndpoint"]
        if "AccountName" in fields:
            protocol = fields.get("DefaultEndpointsProtocol", "https")
            suffix = fields.get("EndpointSuffix", "core.windows.net")
            return f"{protocol}://{fields['AccountName']}.blob.{suffix}"
        return ""

    def store_options(self) -> dict[str, Any]:
        if self.auth == "connection_string" and self.connection_string:
            return {"connection_string": self.connection_string}
        options: dict[str, Any] = {}
        if self.account_url:
            options["account_url"] = self.account_url
            account_name = self.account_name()
            if account_name:
                options["account_name"] = account_name
        if self.auth == "account_key" and self.account_key:
            options["account_key"] = self.account_key
        elif self.auth == "sas" and self.sas_token:
            options["sas_token"] = self.sas_token
        elif self.auth == "anonymous":
            options["anon"] = True
        return options

    def account_name(self) -> str:
        """The storage account named by the account URL (``https://<name>.blob...`` or an
        emulator's ``http://127.0.0.1:10000/<name>``)."""
        parts = urlsplit(self.account_url)
        host = parts.hostname or ""
        if ".blob." in host:
            return host.split(".", 1)[0]
        first = parts.path.strip("/").split("/", 1)[0]
        return first

    def missing_fields(self) -> list[str]:
        missing = [] if self.container.strip() else ["container"]
        if self.auth == "connection_string" and not self.connection_string:
            missing.append("connection_string")
        elif self.auth != "connection_string" and not self.account_url:
            missing.append("account_url")
        return missing

    @classmethod
    def from_url(cls, url: str) -> AzureConnection:
        container, prefix = _split_bucket(url)
        query = _query(url)
        conn = cls(container=container, prefix=prefix, account_url=query.get("account_url", ""))
        if query.get("sas_token") or query.get("sig"):
            conn.auth = "sas"
            conn.sas_token = query.get("sas_token", "")
        elif query.get("account_key"):
            conn.auth = "account_key"
            conn.account_key = query["account_key"]
        elif conn.account_url:
            conn.auth = "account_key"
        return conn


@dataclass
class GCSConnection(Connection):
    kind: ClassVar[str] = "gcs"
    title: ClassVar[str] = "Google Cloud Storage"
    schemes: ClassVar[tuple[str, ...]] = ("gs", "gcs")

    bucket: str = ""
    prefix: str = ""
    project: str = ""
    anonymous: bool = False
    #: path of a service-account JSON key file (the file's content is the secret, not its path)
    token_file: str = ""

    def open_url(self) -> str:
        return _bucket_url("gs", self.bucket, self.prefix)

    def to_url(self) -> str:
        params = {"project": self.project, "anon": "true" if self.anonymous else ""}
        return _with_query(self.open_url(), params)

    def store_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {}
        if self.project:
            options["project"] = self.project
        if self.anonymous:
            options["anon"] = True
        elif self.token_file:
            options["token"] = self.token_file
        return options

    def missing_fields(self) -> list[str]:
        return [] if self.bucket.strip() else ["bucket"]

    @classmethod
    def from_url(cls, url: str) -> GCSConnection:
        bucket, prefix = _split_bucket(url)
        query = _query(url)
        return cls(
            bucket=bucket,
            prefix=prefix,
            project=query.get("project", ""),
            anonymous=_truthy(query.get("anon")),
        )


@dataclass
class HTTPConnection(Connection):
    """Read-only HTTP(S): browsable when the hierarchy has consolidated metadata."""

    kind: ClassVar[str] = "http"
    title: ClassVar[str] = "HTTP"
    schemes: ClassVar[tuple[str, ...]] = ("http", "https")

    url: str = ""
    username: str = ""
    password: str = _secret()
    bearer_token: str = _secret()

    def to_url(self) -> str:
        return self.url

    def store_options(self) -> dict[str, Any]:
        if self.bearer_token:
            return {"headers": {"Authorization": f"Bearer {self.bearer_token}"}}
        if self.username or self.password:
            token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
            return {"headers": {"Authorization": f"Basic {token}"}}
        return {}

    def missing_fields(self) -> list[str]:
        return [] if self.url.lower().startswith(("http://", "https://")) else ["url"]

    @classmethod
    def from_url(cls, url: str) -> HTTPConnection:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        clean = parts._replace(netloc=host).geturl()
        return cls(
            url=clean,
            username=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
        )


CONNECTION_KINDS: tuple[type[Connection], ...] = (
    LocalConnection,
    RedisConnection,
    MongoDBConnection,
    S3Connection,
    AzureConnection,
    GCSConnection,
    HTTPConnection,
)
_BY_KIND = {cls.kind: cls for cls in CONNECTION_KINDS}


def connection_class(kind: str) -> type[Connection]:
    try:
        return _BY_KIND[kind]
    except KeyError:
        raise UnsupportedError(f"unknown connection kind {kind!r}") from None


def kind_for_url(url: str) -> str:
    """The connection kind a URL or path belongs to (``"local"`` for plain paths)."""
    if "://" not in url:
        return "local"
    scheme = url.split("://", 1)[0].lower()
    for cls in CONNECTION_KINDS:
        if scheme in cls.schemes:
            return cls.kind
    raise UnsupportedError(f"URL scheme {scheme!r} is not supported", url=scheme)


def connection_from_url(url: str) -> Connection:
    """Parse any supported URL or plain path into its connection dataclass."""
    return connection_class(kind_for_url(url.strip())).from_url(url.strip())
