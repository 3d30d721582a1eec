"""Flows for tests/e2e/signals.e2e.ts: a load that reports zero rows as a data-quality event.

    python tests/e2e/signalFlows.py '[{"name": "orders-load", "tags": ["dq"], "event": "acme.table.empty", "table": "orders", "rows": 0}]'

Each item is one flow run named `name`, tagged `tags`. When `rows` is 0 the flow emits `event` with
`prefect.events.emit_event` from inside the run (Prefect relates the run, its flow and its tags), the resource
`acme.table.<table>` and the payload {rows_loaded, table}, as the README's dlt snippet does. Prints one JSON line
per run: {"name", "flow_run_id", "state", "event_id"}.
"""

import json
import sys

from prefect import flow, tags
from prefect.events import emit_event
from prefect.runtime import flow_run as current_run


def run_one(item: dict) -> dict:
    out: dict = {"name": item["name"], "event_id": None}

    @flow(name=item["name"], log_prints=False, persist_result=False)
    def load() -> int:
        out["flow_run_id"] = str(current_run.id)
        rows_loaded = int(item["rows"])
        if rows_loaded == 0:
            event = emit_event(
                event=item["event"],
                resource={"prefect.resource.id": f"acme.table.{item['table']}", "prefect.resource.name": item["table"]},
                payload={"rows_loaded": rows_loaded, "table": item["table"]},
            )
            out["event_id"] = str(event.id) if event else None
        return rows_loaded

    with tags(*item.get("tags", [])):
        state = load(return_state=True)
    out["state"] = state.name
    return out


def main() -> None:
    for item in json.loads(sys.argv[1]):
        print(json.dumps(run_one(item)), flush=True)


if __name__ == "__main__":
    main()
