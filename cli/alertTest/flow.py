"""The alert test's deliberately failing flow (npm run alert-test).

Run with PREFECT_API_URL (and, for Prefect Cloud, PREFECT_API_KEY) set:

    python cli/alertTest/flow.py '{"message": "...", "runs": [{"route": "dlt", "flow": "alert-test-dlt-x",
        "runName": "alert-test-dlt", "tags": ["dlt"], "times": 1}]}'

For each item it runs `times` flow runs of a flow named `flow`, one after
another, tagged the Prefect 3 way (`with tags(...)`), no retries, so each run
ends Failed at once with the test's message. Prints one JSON line per run:
{"route", "flow", "flow_run_id", "state", "timestamp"}.
"""

import json
import os
import sys
import threading
import time

from prefect import flow, tags


class AlertTestFailure(RuntimeError):
    """Raised on purpose: the run must end Failed."""


def run_one(item: dict, message: str, attempt: int) -> dict:
    times = item.get("times", 1)

    def body() -> None:
        raise AlertTestFailure(f"{message} (route {item['route']}, run {attempt}/{times})")

    the_flow = flow(
        name=item["flow"],
        flow_run_name=f"{item['runName']}-{attempt}-of-{times}",
        retries=0,
        log_prints=False,
        persist_result=False,
    )(body)
    with tags(*item.get("tags", [])):
        state = the_flow(return_state=True)
    return {
        "route": item["route"],
        "flow": item["flow"],
        "flow_run_id": str(state.state_details.flow_run_id),
        "state": state.name,
        "timestamp": state.timestamp.isoformat() if state.timestamp else None,
    }


def exit_with_parent() -> None:
    """The command may be interrupted: do not outlive it."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def main() -> None:
    exit_with_parent()
    spec = json.loads(sys.argv[1])
    for item in spec["runs"]:
        for attempt in range(1, item.get("times", 1) + 1):
            print(json.dumps(run_one(item, spec["message"], attempt)), flush=True)


if __name__ == "__main__":
    main()
