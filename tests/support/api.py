"""A test client of the JSON API: paths in tests are relative to /api/v1, as the API's own are."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from services.api.app import API

API_BASE = f"http://testserver{API}"


def api_client(app: Any, **options: Any) -> TestClient:
    return TestClient(app, base_url=API_BASE, **options)
