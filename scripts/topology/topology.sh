#!/usr/bin/env bash
# Prefect as it runs at scale, on loopback: PostgreSQL, Redis as the messaging
# broker, cache, lease storage and Docket backend (prefect-redis), two API
# servers (`prefect server start --no-services`) and the background services
# (triggers, actions, event persister, scheduler, ...) in their own process
# (`prefect server services start`). For the load benchmark, not the e2e suite.
#
#   topology.sh up              start everything (builds .venv-bench, installs redis-server if missing)
#   topology.sh down            stop everything, remove the data
#   topology.sh stop|start|kill NAME    one part: postgres, redis, api1, api2, services (kill = SIGKILL)
#   topology.sh env             print the settings file (API1_URL, API2_URL, ...)
#
# State lives in $TOPOLOGY_DIR (default .e2e/topology): pid files, logs, env.
# Each part runs in its own session (setsid), so its pid is its process group.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
state="${TOPOLOGY_DIR:-$root/.e2e/topology}"
venv="$root/.venv-bench"
pg="$root/scripts/pg/postgres.sh"

ensure_venv() {
  local want
  want="$(cat "$root/requirements-e2e.txt" "$root/requirements-bench.txt" | sha256sum | cut -d' ' -f1)"
  if [ -x "$venv/bin/prefect" ] && [ "$(cat "$venv/.stamp" 2>/dev/null)" = "$want" ]; then return 0; fi
  echo "topology: building .venv-bench from requirements-bench.txt" >&2
  rm -rf "$venv"
  "${PYTHON:-python3}" -m venv "$venv"
  (cd "$root" && "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r requirements-bench.txt)
  "$venv/bin/python" -m pip check >/dev/null
  echo "$want" >"$venv/.stamp"
}

ensure_redis() {
  command -v redis-server >/dev/null 2>&1 && return 0
  echo "topology: installing Debian's redis-server" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server >/dev/null 2>&1 ||
    { apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server >/dev/null; }
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The settings every Prefect process of the topology gets. Names as in prefect/settings/models/server/
# (database.py, events.py, docket.py, concurrency.py) and prefect_redis/client.py.
prefect_env() {
  cat <<EOT
PREFECT_HOME=$state/home
PREFECT_API_DATABASE_CONNECTION_URL=postgresql+asyncpg://prefect@127.0.0.1:$PG_PORT/prefect
PREFECT_API_DATABASE_MIGRATE_ON_START=false
PREFECT_MESSAGING_BROKER=prefect_redis.messaging
PREFECT_MESSAGING_CACHE=prefect_redis.messaging
PREFECT_REDIS_MESSAGING_HOST=127.0.0.1
PREFECT_REDIS_MESSAGING_PORT=$REDIS_PORT
PREFECT_SERVER_DOCKET_URL=redis://127.0.0.1:$REDIS_PORT/0
PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE=prefect_redis.lease_storage
PREFECT_SERVER_ENCRYPTION_KEY=$ENCRYPTION_KEY
PREFECT_SERVER_ANALYTICS_ENABLED=false
PREFECT_SERVER_UI_ENABLED=false
PREFECT_UI_URL=$API1_URL
PREFECT_SERVER_SERVICES_FOREMAN_LOOP_SECONDS=2
PREFECT_SERVER_SERVICES_LATE_RUNS_LOOP_SECONDS=2
PREFECT_SERVER_SERVICES_LATE_RUNS_AFTER_SECONDS=15
PREFECT_SERVER_LOGGING_LEVEL=${TOPOLOGY_SERVER_LOG_LEVEL:-WARNING}
PREFECT_SERVER_EVENTS_CAUSAL_ORDERING=${TOPOLOGY_CAUSAL_ORDERING:-prefect.server.events.ordering.memory}
DO_NOT_TRACK=1
PYTHONUNBUFFERED=1
EOT
}

load_env() {
  [ -f "$state/env" ] || { echo "topology: not up ($state/env missing)" >&2; exit 1; }
  # shellcheck disable=SC1091
  . "$state/env"
  set_penv
}

# spawn NAME CMD...: runs CMD in its own session, output appended to NAME.log, pid to NAME.pid.
spawn() {
  local name="$1"
  shift
  setsid "$@" >>"$state/$name.log" 2>&1 </dev/null &
  echo $! >"$state/$name.pid"
}

# PENV: the environment of a Prefect process (env -i: nothing of the caller's PREFECT_* leaks in).
set_penv() {
  local -a envs
  mapfile -t envs < <(prefect_env)
  PENV=(env -i PATH="$venv/bin:/usr/bin:/bin" HOME="$state/home" NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost "${envs[@]}")
}

start_part() {
  local name="$1"
  case "$name" in
    postgres) spawn postgres bash "$pg" run "$PG_DATA" "$PG_PORT" -c max_connections=200 ;;
    redis) spawn redis redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$state/redis" \
      --appendonly yes --appendfsync everysec --save "" --protected-mode no ;;
    api1) spawn api1 "${PENV[@]}" prefect server start --no-services --host 127.0.0.1 --port "$API1_PORT" ;;
    api2) spawn api2 "${PENV[@]}" prefect server start --no-services --host 127.0.0.1 --port "$API2_PORT" ;;
    services) spawn services "${PENV[@]}" prefect server services start ;;
    *) echo "topology: unknown part $name" >&2; exit 2 ;;
  esac
}

wait_part() {
  local name="$1" deadline=$((SECONDS + 180))
  while :; do
    case "$name" in
      postgres) bash "$pg" ready "$PG_PORT" 5 >/dev/null 2>&1 && return 0 ;;
      redis) redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && return 0 ;;
      api1) curl -sf "$API1_URL/api/health" >/dev/null && return 0 ;;
      api2) curl -sf "$API2_URL/api/health" >/dev/null && return 0 ;;
      # It prints nothing once running: alive 5 s after its start is as ready as it says.
      services) sleep 5 && kill -0 "$(cat "$state/services.pid")" 2>/dev/null && return 0 ;;
    esac
    if ! kill -0 "$(cat "$state/$name.pid")" 2>/dev/null; then
      echo "topology: $name exited; its log:" >&2
      tail -30 "$state/$name.log" >&2
      return 1
    fi
    [ "$SECONDS" -ge "$deadline" ] && { echo "topology: $name not up after 180 s" >&2; tail -30 "$state/$name.log" >&2; return 1; }
    sleep 0.3
  done
}

stop_part() {
  local name="$1" sig="${2:-TERM}" pid
  [ -f "$state/$name.pid" ] || return 0
  pid="$(cat "$state/$name.pid")"
  # PostgreSQL: SIGINT is its fast shutdown.
  [ "$name" = postgres ] && [ "$sig" = TERM ] && sig=INT
  kill "-$sig" -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$state/$name.pid"
}

case "${1:-}" in
  up)
    [ -f "$state/env" ] && { echo "topology: already up ($state); run down first" >&2; exit 1; }
    ensure_venv
    ensure_redis
    rm -rf "$state"
    mkdir -p "$state/home" "$state/redis"
    pgbase="$(mktemp -d -t topology-pg.XXXXXX)"
    chmod 711 "$pgbase"
    PG_DATA="$pgbase/data"
    bash "$pg" init "$pgbase/data"
    PG_PORT="$(free_port)" REDIS_PORT="$(free_port)" API1_PORT="$(free_port)" API2_PORT="$(free_port)"
    API1_URL="http://127.0.0.1:$API1_PORT" API2_URL="http://127.0.0.1:$API2_PORT"
    # One Fernet key for every process: otherwise the first block secrets stored in parallel race to create
    # it in the database (prefect/server/utilities/encryption.py reads, then writes) and get 409s.
    ENCRYPTION_KEY="$(python3 -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')"
    printf '%s\n' "PG_PORT=$PG_PORT" "REDIS_PORT=$REDIS_PORT" "API1_PORT=$API1_PORT" "API2_PORT=$API2_PORT" \
      "API1_URL=$API1_URL" "API2_URL=$API2_URL" "PG_DATA=$PG_DATA" "STATE=$state" "ENCRYPTION_KEY=$ENCRYPTION_KEY" >"$state/env"
    set_penv
    start_part postgres && wait_part postgres
    start_part redis && wait_part redis
    # Migrate once, before any server starts, so two API processes never race to migrate.
    "${PENV[@]}" prefect server database upgrade -y >"$state/migrate.log" 2>&1 || { tail -30 "$state/migrate.log" >&2; exit 1; }
    # One after another: two API servers starting at once both register the block types at startup
    # and one dies on a unique violation (uq_block_type__slug), as seen here.
    for p in api1 api2 services; do start_part "$p" && wait_part "$p"; done
    echo "topology up: api $API1_URL and $API2_URL, postgres :$PG_PORT, redis :$REDIS_PORT, state $state"
    ;;
  down)
    [ -f "$state/env" ] || exit 0
    load_env
    for p in api1 api2 services redis postgres; do stop_part "$p"; done
    rm -rf "$(dirname "$PG_DATA")" "$state/env"
    echo "topology down (logs kept in $state)"
    ;;
  start) load_env; start_part "$2"; wait_part "$2" ;;
  stop) load_env; stop_part "$2" ;;
  kill) load_env; stop_part "$2" KILL ;;
  env) load_env; cat "$state/env" ;;
  *) sed -n '2,14p' "$0" >&2; exit 2 ;;
esac
