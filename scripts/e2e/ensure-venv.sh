#!/usr/bin/env bash
# Makes sure .venv at the repo root holds exactly requirements-e2e.txt (a pinned
# Prefect server and client for the end-to-end suite and the latency benchmark).
# Rebuilds it when it is missing or was made from another lock or Python; does
# nothing otherwise. Quiet unless something fails.
#   bash scripts/e2e/ensure-venv.sh        PYTHON=python3.12 to choose the interpreter
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="$root/.venv"
lock="$root/requirements-e2e.txt"
stamp="$venv/.requirements-e2e.stamp"

python="${PYTHON:-}"
if [ -z "$python" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1; then python="$candidate"; break; fi
  done
fi
if [ -z "$python" ] || ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' 2>/dev/null; then
  echo "ensure-venv: need Python >= 3.10 (set PYTHON=...); found '${python:-none}'" >&2
  exit 1
fi

# The stamp names the lock's content and the interpreter that built the venv.
want="$(sha256sum "$lock" | cut -d' ' -f1) $("$python" -c 'import sys; print(sys.version.split()[0])')"
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi

log="$(mktemp -t ensure-venv.XXXXXX.log)"
trap 'rm -f "$log"' EXIT
echo "ensure-venv: building .venv from requirements-e2e.txt (takes a minute or two)" >&2
if ! {
  rm -rf "$venv" &&
    "$python" -m venv "$venv" &&
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$lock" &&
    "$venv/bin/python" -m pip check
} >"$log" 2>&1; then
  cat "$log" >&2
  echo "ensure-venv: failed; .venv left without a stamp, the next run rebuilds it" >&2
  exit 1
fi
echo "$want" >"$stamp"
