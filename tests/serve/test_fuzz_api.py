"""schemathesis over the served OpenAPI spec: no answer >= 500, no traceback, ever.

The operations and their cases come from schemathesis (property-based, from
the spec the server serves); each case is sent to the running server.
"""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed")
from hypothesis import HealthCheck, given, settings  # noqa: E402

#: Cases per operation: enough to hit every branch of the parameter checks, quick on CI.
EXAMPLES = 15


def test_no_server_error_and_no_traceback(open_server) -> None:
    schema = schemathesis.openapi.from_url(open_server.url + "openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    seen: dict[int, int] = {}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case) -> None:
            response = case.call(timeout=60)
            seen[response.status_code] = seen.get(response.status_code, 0) + 1
            where = f"{case.method} {case.path}: {response.text[:300]}"
            assert response.status_code < 500, where
            text = response.text
            assert "Traceback" not in text and "site-packages" not in text, where

        check()
    assert sum(seen.values()) >= len(operations) and 200 in seen, seen
