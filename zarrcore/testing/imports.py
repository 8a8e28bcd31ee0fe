"""What a fresh interpreter imports: tests that keep the optional store clients lazy."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping

#: top-level modules of the optional store clients and of what they pull in
CLIENT_MODULES = frozenset(
    {
        "redis",
        "pymongo",
        "s3fs",
        "aiobotocore",
        "botocore",
        "fsspec",
        "gcsfs",
        "azure",
        "urllib3",
        "requests",
        "aiohttp",
    }
)

_REPORT = """
import json as _json, sys as _sys
print(_json.dumps(sorted({_name.split(".")[0] for _name in _sys.modules})))
"""


def modules_imported_by(code: str, env: Mapping[str, str] | None = None) -> set[str]:
    """Run ``code`` in a fresh interpreter; the top-level names of the modules it imported."""
    result = subprocess.run(
        [sys.executable, "-c", code + _REPORT],
        capture_output=True,
        text=True,
        env=None if env is None else dict(env),
        check=False,
        timeout=120,
    )
    if result.returncode != 0:
        raise AssertionError(f"the script failed ({result.returncode}):\n{result.stderr}")
    return set(json.loads(result.stdout.strip().splitlines()[-1]))
