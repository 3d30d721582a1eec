"""Renders message templates with the Prefect server's own Jinja environment.

    python tests/e2e/renderTemplates.py < '{"templates": ["..."], "context": {...}}'

Each template is validated as Prefect validates an automation's templates when
it is created (validate_user_template) and rendered as its actions render them
(render_user_template_sync). Prints one JSON array: {"rendered": str} or
{"error": str} per template, in order.
"""

import json
import sys

from prefect.server.utilities.user_templates import render_user_template_sync, validate_user_template


def main() -> None:
    request = json.load(sys.stdin)
    results = []
    for template in request["templates"]:
        try:
            validate_user_template(template)
            results.append({"rendered": render_user_template_sync(template, request["context"])})
        except Exception as e:  # the error is the result
            results.append({"error": repr(e)})
    print(json.dumps(results))


if __name__ == "__main__":
    main()
