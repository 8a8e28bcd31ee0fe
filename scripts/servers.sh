#!/usr/bin/env bash
# Start / stop the loopback servers the tests use. Everything binds 127.0.0.1 only.
#   scripts/servers.sh start   -> writes .servers/env (ports, URLs) and .servers/*.pid
#   scripts/servers.sh stop    -> kills by pid
# A server that does not come up is a hard failure: tests never skip for a missing server.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${ZARRSCOPE_SERVERS_DIR:-.servers}
VENV_BIN=${VENV_BIN:-.venv/bin}

free_port() {
  "$VENV_BIN/python" - <<'PY'
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

wait_port() {  # name port pidfile
  local name=$1 port=$2 pid
  pid=$(cat "$DIR/$name.pid")
  for _ in $(seq 1 300); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "server $name died on start; log:" >&2; tail -20 "$DIR/$name.log" >&2; return 1
    fi
    if "$VENV_BIN/python" -c "import socket,sys; s=socket.create_connection(('127.0.0.1',$port),0.2)" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  echo "server $name did not listen on port $port within 30 s; log:" >&2
  tail -20 "$DIR/$name.log" >&2
  return 1
}

start() {
  stop >/dev/null 2>&1 || true
  mkdir -p "$DIR"
  : > "$DIR/env"
  local p

  p=$(free_port)
  redis-server --bind 127.0.0.1 --port "$p" --save '' --appendonly no --daemonize no \
    >"$DIR/redis.log" 2>&1 &
  echo $! > "$DIR/redis.pid"
  echo "export ZARRSCOPE_TEST_REDIS_URL=redis://127.0.0.1:$p/0" >> "$DIR/env"
  wait_port redis "$p"

  p=$(free_port)
  "$VENV_BIN/moto_server" -H 127.0.0.1 -p "$p" >"$DIR/moto.log" 2>&1 &
  echo $! > "$DIR/moto.pid"
  echo "export ZARRSCOPE_TEST_S3_ENDPOINT=http://127.0.0.1:$p" >> "$DIR/env"
  wait_port moto "$p"

  p=$(free_port)
  azurite-blob --blobHost 127.0.0.1 --blobPort "$p" --inMemoryPersistence \
    --skipApiVersionCheck --loose --silent >"$DIR/azurite.log" 2>&1 &
  echo $! > "$DIR/azurite.pid"
  # The well-known azurite development account (public, documented by Microsoft).
  local acct=devstoreaccount1
  local key='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
  echo "export ZARRSCOPE_TEST_AZURE_CONNECTION_STRING='DefaultEndpointsProtocol=http;AccountName=$acct;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$p/$acct;'" >> "$DIR/env"
  wait_port azurite "$p"

  p=$(free_port)
  "$VENV_BIN/nx-27017" --host 127.0.0.1 -p "$p" --db memory \
    --log-file "$DIR/mongo-server.log" --pid-file "$DIR/mongo-inner.pid" >"$DIR/mongo.log" 2>&1 &
  echo $! > "$DIR/mongo.pid"
  echo "export ZARRSCOPE_TEST_MONGODB_URL=mongodb://127.0.0.1:$p/" >> "$DIR/env"
  echo "export ZARRSCOPE_TEST_MONGODB_SERVER=nx-27017" >> "$DIR/env"
  wait_port mongo "$p"

  echo "servers up:"; sed 's/AccountKey=[^;]*/AccountKey=***/' "$DIR/env"
}

stop() {
  [ -d "$DIR" ] || return 0
  for f in "$DIR"/*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$f"
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
