#!/usr/bin/env bash
# A throwaway PostgreSQL for the e2e suite and the load benchmark: its own data
# directory, 127.0.0.1 only, trust auth for one superuser "prefect".
#
#   postgres.sh init DIR                     initdb into DIR (DIR must not exist or be empty)
#   postgres.sh run DIR PORT [-c k=v ...]    exec the server in the foreground (stop it with SIGINT/SIGTERM)
#   postgres.sh ready PORT [TIMEOUT_S]       wait until it accepts connections, then make database "prefect"
#
# PostgreSQL refuses to run as root, and CI runs as root: when we are root, DIR
# is owned by an unprivileged user (postgres if the Debian package made it,
# else nobody) and initdb/postgres run as that user through setpriv, which
# execs in place (the pid the caller holds is the postmaster's). The binaries
# come from Debian's postgresql package; if they are missing they are installed
# here (apt-get), so a fresh machine needs nothing done by hand.
set -euo pipefail

find_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    if [ -x "$d/postgres" ] && [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
  done
  return 1
}

bin_dir() {
  local d
  if d="$(find_bin)"; then echo "$d"; return 0; fi
  if [ "$(id -u)" != 0 ]; then
    echo "postgres.sh: no PostgreSQL server found under /usr/lib/postgresql; install Debian's postgresql package" >&2
    return 1
  fi
  echo "postgres.sh: installing Debian's postgresql package (once per machine)" >&2
  local log
  log="$(mktemp -t pg-install.XXXXXX.log)"
  if ! { DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql >"$log" 2>&1 ||
    { apt-get update >>"$log" 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql >>"$log" 2>&1; }; }; then
    cat "$log" >&2
    return 1
  fi
  rm -f "$log"
  find_bin
}

# Runs "$@" as the owner of the data directory (ourselves unless we are root).
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    local user=postgres
    id "$user" >/dev/null 2>&1 || user=nobody
    exec setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups -- "$@"
  fi
  exec "$@"
}

owner_of_new_dir() {
  local dir="$1"
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then
    local user=postgres
    id "$user" >/dev/null 2>&1 || user=nobody
    chown "$user:$(id -g "$user")" "$dir"
    # The user must be able to reach DIR: its parent is the caller's fresh temp dir (mkdtemp makes it 0700).
    chmod o+x "$(dirname "$dir")"
  fi
  chmod 700 "$dir"
}

cmd="${1:-}"
case "$cmd" in
  init)
    dir="$2"
    bin="$(bin_dir)"
    owner_of_new_dir "$dir"
    # --no-sync: a throwaway cluster; -U prefect: the one superuser the URL names.
    (as_owner "$bin/initdb" -D "$dir" -U prefect --auth=trust -E UTF8 --locale=C --no-sync >"$dir.initdb.log" 2>&1) || {
      cat "$dir.initdb.log" >&2
      exit 1
    }
    ;;
  run)
    dir="$2"
    port="$3"
    shift 3
    bin="$(bin_dir)"
    # The socket goes into DIR too: /var/run/postgresql may not exist or not be ours.
    as_owner "$bin/postgres" -D "$dir" -h 127.0.0.1 -p "$port" -k "$dir" "$@"
    ;;
  ready)
    port="$2"
    timeout="${3:-60}"
    bin="$(bin_dir)"
    deadline=$((SECONDS + timeout))
    until "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U prefect -d postgres; do
      if [ "$SECONDS" -ge "$deadline" ]; then
        echo "postgres.sh: not ready on 127.0.0.1:$port after ${timeout}s" >&2
        exit 1
      fi
      sleep 0.2
    done
    if ! "$bin/psql" -qtA -h 127.0.0.1 -p "$port" -U prefect -d postgres -c "select 1 from pg_database where datname='prefect'" | grep -q 1; then
      "$bin/createdb" -h 127.0.0.1 -p "$port" -U prefect prefect
    fi
    ;;
  *)
    sed -n '2,8p' "$0" >&2
    exit 2
    ;;
esac
