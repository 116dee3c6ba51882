from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from services.api.app import create_app
from services.bootstrap import bootstrap
from services.crypto import FieldCipher
from services.incidents.rotation import rotate_keys
from services.incidents.tables import Case, Incident
from services.store.tables import Role
from tests.integration.test_incidents import NARRATIVE, report
from tests.support.people import person
from tests.support.pipeline import pipeline_settings

pytestmark = pytest.mark.integration


def test_rotation_moves_every_value_to_the_new_key(private_database_url: str) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    container = bootstrap(pipeline_settings(private_database_url, encryption_keys=old))
    with TestClient(create_app(container, run_dispatcher=False)) as client:
        official = person(container, Role.OFFICIAL, client=client)
        case_id = report(client, official, "03241001")["case_id"]
        client.post(f"/cases/{case_id}/information", json={"text": "Nachtrag"}, headers=official.auth)

    assert rotate_keys(container.engine, FieldCipher([new, old])) >= 3
    only_new = FieldCipher([new])
    with Session(container.engine) as session:
        case = session.get(Case, case_id)
        assert case is not None
        incident = session.exec(select(Incident).where(Incident.id == case.incident_id)).one()
        assert only_new.decrypt(incident.narrative_enc) == NARRATIVE
        with pytest.raises(ValueError, match="none of the configured keys"):
            FieldCipher([old]).decrypt(incident.narrative_enc)
