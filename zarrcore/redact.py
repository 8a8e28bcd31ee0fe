"""Remove secrets from URLs and free text before they reach a message, log or title."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "***"

# Query parameters and connection-string fields that hold secrets.
_SECRET_NAMES = {
    "password",
    "passwd",
    "pwd",
    "secret",
    "secret_key",
    "secretkey",
    "aws_secret_access_key",
    "key",
    "account_key",
    "accountkey",
    "sas_token",
    "sig",
    "signature",
    "token",
    "sessiontoken",
    "session_token",
    "aws_session_token",
    "credential",
    "credentials",
    "sharedaccesssignature",
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
}

_USERINFO_RE = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.\-]*://)(?P<user>[^:/@\s]*):(?P<pw>[^@/\s]*)@")
_KV_RE = re.compile(
    r"(?P<name>(?i:AccountKey|SharedAccessSignature|password|secret(?:_access)?_key"
    r"|(?:x-amz-)?signature|sig|token))"
    r"(?P<sep>\s*[=:]\s*)(?P<value>[^;&\s,'\"]+)"
)


def redact_url(url: str) -> str:
    """Return ``url`` with the password and secret query parameters replaced by ``***``."""
    if "://" not in url:
        return redact_text(url)
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact_text(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        if ":" in userinfo:
            user = userinfo.split(":", 1)[0]
            userinfo = f"{user}:{REDACTED}"
        netloc = f"{userinfo}@{hostport}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode(
            [(k, REDACTED if k.lower() in _SECRET_NAMES else v) for k, v in pairs], safe="*/:"
        )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact_text(text: str) -> str:
    """Redact ``user:password@`` in embedded URLs and ``AccountKey=...``-style fields."""
    text = _USERINFO_RE.sub(lambda m: f"{m['scheme']}{m['user']}:{REDACTED}@", text)
    return _KV_RE.sub(lambda m: f"{m['name']}{m['sep']}{REDACTED}", text)
