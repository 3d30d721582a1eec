"""Real Prefect flows for the end-to-end suite and the latency benchmark.

Run against a server with PREFECT_API_URL set:

    python tests/e2e/flows.py '[{"kind": "fail", "name": "orders-sync", "tags": ["dlt"], "times": 3}]'

Each item runs `times` flow runs (one after another) of a flow named `name`,
tagged the Prefect 3 way (`with tags(...)`), and prints one JSON line per run:
{"name", "kind", "flow_run_id", "state", "type", "message"}. Kinds:

- fail:     raises ValueError -> Failed
- crash:    the run is interrupted (KeyboardInterrupt, as Ctrl-C or a stopped
            container would) -> Crashed
- timeout:  sleeps past timeout_seconds -> TimedOut (a FAILED-type state)
- flaky:    fails on its first attempt, succeeds on its retry -> AwaitingRetry, Completed
- stubborn: fails on its first attempt and on its retry -> AwaitingRetry, Failed
- succeed:  returns -> Completed
- fail_with: raises ValueError with the item's "message" as is -> Failed
"""

import json
import os
import sys
import threading
import time

from prefect import flow, tags
from prefect.runtime import flow_run as current_run

ERROR_TEXT = "upstream API answered 503 Service Unavailable"


def _body(kind: str, name: str, started: dict, message: str):
    def body() -> str:
        started["id"] = str(current_run.id)
        if kind == "fail_with":
            raise ValueError(message)
        if kind in ("fail", "stubborn"):
            raise ValueError(f"{ERROR_TEXT} ({name})")
        if kind == "crash":
            raise KeyboardInterrupt()
        if kind == "timeout":
            time.sleep(30)
        if kind == "flaky" and current_run.run_count < 2:
            raise RuntimeError(f"transient failure on attempt {current_run.run_count} ({name})")
        return "ok"

    return body


def run_one(kind: str, name: str, run_tags: list, message: str = "") -> dict:
    started: dict = {}
    options = {"name": name, "log_prints": False, "persist_result": False}
    if kind == "timeout":
        options["timeout_seconds"] = 1
    if kind in ("flaky", "stubborn"):
        options.update(retries=1, retry_delay_seconds=0)
    if kind not in ("fail", "fail_with", "crash", "timeout", "flaky", "stubborn", "succeed"):
        raise SystemExit(f"unknown kind {kind!r}")
    the_flow = flow(**options)(_body(kind, name, started, message))
    state = None
    with tags(*run_tags):
        try:
            state = the_flow(return_state=True)
        except KeyboardInterrupt:
            pass  # the engine has already reported Crashed to the server
    return {
        "name": name,
        "kind": kind,
        "flow_run_id": str(state.state_details.flow_run_id) if state else started.get("id"),
        "state": state.name if state else "Crashed",
        "type": state.type.value if state else "CRASHED",
        "message": state.message if state else None,
    }


def exit_with_parent() -> None:
    """The test process may be killed outright: do not outlive it."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(3)

    threading.Thread(target=watch, daemon=True).start()


def main() -> None:
    exit_with_parent()
    for item in json.loads(sys.argv[1]):
        for _ in range(int(item.get("times", 1))):
            result = run_one(item["kind"], item["name"], item.get("tags", []), item.get("message", ""))
            print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
