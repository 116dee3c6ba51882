"""Schemathesis over the whole OpenAPI document, without a token and as each role: whatever is sent,
no answer is a 5xx, and every answer matches the schema the document declares for it. Bounded (a few
examples per operation and role) so that it stays a fast part of the suite; the seed is fixed so a
failure can be replayed."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from services.api.app import create_app
from services.bootstrap import bootstrap
from services.store.engine import make_engine
from services.store.migrate import upgrade
from services.store.tables import Role
from tests.conftest import sqlite_url
from tests.support.api import api_client
from tests.support.people import person
from tests.support.pipeline import pipeline_settings

pytestmark = pytest.mark.integration
EXAMPLES = 10
# The rate limits would answer a fuzzer with 429 after a few requests; they are tested elsewhere.
UNLIMITED = {"sign_in_per_minute": 0, "anonymous_reports_per_minute": 0, "registrations_per_minute": 0}
UNLIMITED |= {"anonymous_case_lookups_per_minute": 0}


@pytest.mark.parametrize("role", [None, *Role])
def test_no_request_makes_the_service_fail_or_break_its_own_schema(role: Role | None, tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    upgrade(make_engine(url))
    container = bootstrap(pipeline_settings(url, **UNLIMITED))
    app = create_app(container, run_dispatcher=False)
    headers: dict[str, str] = {}
    with api_client(app) as client:
        if role is not None:
            extra = {"region": "03"} if role is Role.COORDINATOR else {}
            if role is Role.MUNICIPALITY:
                extra = {"municipality_ags": f"03{uuid.uuid4().int % 10**6:06d}"}
            someone = person(container, role, client=client, **extra)  # type: ignore[arg-type]
            headers = someone.auth
        schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
        failures: list[str] = []
        for result in schema.get_all_operations():
            operation = result.ok()

            @seed(20261130)
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(
                case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE)
                | operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)
            )
            def call(case: schemathesis.Case) -> None:
                case.call_and_validate(
                    headers=headers,
                    checks=[not_a_server_error, response_schema_conformance, status_code_conformance],
                )

            try:
                call()
            except BaseException as exc:
                failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:600]}")
    assert not failures, "\n\n".join(failures)
