"""Every answer carries the security headers; the API documentation is served from local files and
is off in production; production refuses weak secrets with one line that says what to set."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient

from services.api.app import create_app
from services.bootstrap import bootstrap
from tests.support.pipeline import ROOT, pipeline_settings

pytestmark = pytest.mark.integration


def test_every_answer_carries_the_security_headers_and_personal_data_is_not_cached(database_url: str) -> None:
    with TestClient(create_app(bootstrap(pipeline_settings(database_url)), run_dispatcher=False)) as client:
        for answer in (
            client.get("/healthz"),
            client.get("/api/v1/me"),  # 401
            client.get("/api/v1/registrations/nope?token=x"),  # 404
            client.post("/api/v1/auth/token", json={"email": "not an address"}),  # 422
        ):
            headers = answer.headers
            assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
            assert "script-src 'self'" in headers["Content-Security-Policy"]
            assert headers["X-Content-Type-Options"] == "nosniff"
            assert headers["X-Frame-Options"] == "DENY"
            assert headers["Referrer-Policy"] == "no-referrer"  # links carry secrets
            assert headers["Cache-Control"] == "no-store"
            assert "Strict-Transport-Security" not in headers  # only in production, behind TLS


def test_the_documentation_needs_no_internet(database_url: str) -> None:
    with TestClient(create_app(bootstrap(pipeline_settings(database_url)), run_dispatcher=False)) as client:
        page = client.get("/api/docs")
        assert page.status_code == 200
        assert "http://" not in page.text and "https://" not in page.text  # nothing from elsewhere
        assert client.get("/static/docs/swagger-ui-bundle.js").status_code == 200
        assert client.get("/static/docs/swagger-ui.css").status_code == 200
        assert client.get("/api/v1/openapi.json").status_code == 200


def test_production_hides_the_documentation_and_sends_hsts(database_url: str) -> None:
    settings = pipeline_settings(
        database_url,
        environment="production",
        secret_key="k" + Fernet.generate_key().decode(),
        encryption_keys=Fernet.generate_key().decode(),
    )
    with TestClient(create_app(bootstrap(settings), run_dispatcher=False)) as client:
        assert client.get("/api/docs").status_code == 404
        assert client.get("/api/v1/openapi.json").status_code == 404
        assert client.get("/healthz").headers["Strict-Transport-Security"].startswith("max-age=31536000")
    with TestClient(
        create_app(bootstrap(settings.model_copy(update={"api_docs": True})), run_dispatcher=False)
    ) as client:
        assert client.get("/api/docs").status_code == 200  # an operator may switch it on


@pytest.mark.parametrize("secret", ["x", "change-me-development-only", "a" * 40])
def test_production_refuses_a_weak_secret_with_one_line(secret: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if not k.startswith("WELTOFFEN_")}
    env.update(
        PYTHONPATH=str(ROOT),
        WELTOFFEN_ENVIRONMENT="production",
        WELTOFFEN_SECRET_KEY=secret,
        WELTOFFEN_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        COLUMNS="80",
    )
    done = subprocess.run(
        [sys.executable, "-m", "services.cli", "db", "upgrade"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    lines = (done.stdout + done.stderr).strip().splitlines()
    assert len(lines) == 1 and "WELTOFFEN_SECRET_KEY" in lines[0] and "at least 32" in lines[0], lines
