#!/usr/bin/env bash
# `make test`: lint, type-check, start loopback servers, run pytest, stop the servers.
set -euo pipefail
cd "$(dirname "$0")/.."
B=.venv/bin
echo "== ruff"; $B/ruff check zarrcore app tests bench packaging scripts
echo "== mypy (strict on zarrcore)"; $B/mypy
echo "== import-linter"; $B/lint-imports --no-cache
echo "== servers"
trap 'bash scripts/servers.sh stop' EXIT
bash scripts/servers.sh start
# shellcheck disable=SC1091
source .servers/env
export ZARRSCOPE_REF_PYTHON="$PWD/.venv-ref/bin/python"
export ZARRSCOPE_REQUIRE_SERVERS=1
export QT_QPA_PLATFORM=offscreen
echo "== pytest"
$B/python -m pytest -q -p no:cacheprovider "$@"
