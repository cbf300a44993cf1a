"""The web API fuzzed from its own OpenAPI schema with schemathesis: generated requests (valid,
near-valid and invalid) to every operation, in-process. No response is a server error (5xx) and
none carries a traceback; at least 1,000 requests are made."""

from __future__ import annotations

import collections
import os
import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from cellwright.web.app import create_app

#: Generated requests per operation in the fuzzing phase (the coverage phase adds its own).
EXAMPLES_PER_OPERATION = 55
MIN_REQUESTS = 1000

REQUESTS: collections.Counter = collections.Counter()


class Counted:
    """Counts every HTTP request that reaches the app."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            REQUESTS[(scope["method"], scope["path"])] += 1
        await self.app(scope, receive, send)


ROOT = Path(__file__).parents[2]
#: The app's studies folder (made by the fixture below, which copies the session's stored study
#: into it before the fuzzing and removes it after).
STUDIES = Path(tempfile.gettempdir()) / f"cellwright-fuzz-{os.getpid()}"
CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"deterministic": True, "database": "none", "max-examples": EXAMPLES_PER_OPERATION},
        "phases": {"stateful": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_asgi("/openapi.json", Counted(create_app(ROOT / "examples", STUDIES)), config=CONFIG)


@pytest.fixture(scope="module", autouse=True)
def _stored_study(studies_dir):
    shutil.copytree(studies_dir / "pareto", STUDIES / "pareto")
    yield
    shutil.rmtree(STUDIES, ignore_errors=True)


def no_traceback(ctx, response, case):
    body = response.content or b""
    if b"Traceback" in body or b'File "' in body:
        raise AssertionError(f"a traceback in the response of {case.operation.label}")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)
def test_no_server_error_and_no_traceback(case):
    case.call_and_validate(checks=[not_a_server_error, no_traceback])


def test_zz_at_least_a_thousand_requests_were_made():
    """Runs after the fuzzing above (file order)."""
    total = sum(REQUESTS.values())
    print(f"{total:,} requests to {len(REQUESTS)} method/path pairs")
    assert total >= MIN_REQUESTS, dict(REQUESTS)
    assert len({path for _, path in REQUESTS}) >= 15  # every operation was reached
