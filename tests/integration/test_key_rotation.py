from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text
from sqlmodel import Session, select

from services.api.app import create_app
from services.bootstrap import bootstrap
from services.crypto import FieldCipher
from services.incidents.tables import Case, Incident
from services.key_rotation import rotate_keys
from services.store.tables import Role
from tests.integration.test_incidents import NARRATIVE, report
from tests.support.api import api_client
from tests.support.people import person
from tests.support.pipeline import pipeline_settings
from tests.support.registrants import registrant

pytestmark = pytest.mark.integration


def test_rotation_moves_every_value_to_the_new_key(private_database_url: str) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    container = bootstrap(pipeline_settings(private_database_url, encryption_keys=old))
    with api_client(create_app(container, run_dispatcher=False)) as client:
        official = person(container, Role.OFFICIAL, client=client)
        case_id = report(client, official, "03241001")["case_id"]
        client.post(f"/cases/{case_id}/information", json={"text": "Nachtrag"}, headers=official.auth)
        evidence = client.post(
            f"/cases/{case_id}/evidence",
            files={"file": ("drohbrief-mueller.txt", b"Wir wissen, wo du wohnst", "text/plain")},
            headers=official.auth,
        )
        assert evidence.status_code == 201, evidence.text
    registration_id = registrant(container, "ayse@example.org", name="Ayşe Demir")

    assert rotate_keys(container.engine, FieldCipher([new, old])) >= 3
    only_new = FieldCipher([new])
    with Session(container.engine) as session:
        case = session.get(Case, case_id)
        assert case is not None
        incident = session.exec(select(Incident).where(Incident.id == case.incident_id)).one()
        assert only_new.decrypt(incident.narrative_enc) == NARRATIVE
        with pytest.raises(ValueError, match="none of the configured keys"):
            FieldCipher([old]).decrypt(incident.narrative_enc)

    # registrants' personal data and file names: stored encrypted, and now under the new key only
    with container.engine.connect() as connection:
        name, email = connection.execute(
            text("SELECT name, email FROM registration WHERE id = :id"), {"id": registration_id}
        ).one()
        [filename] = connection.execute(text("SELECT filename FROM evidence_file")).one()
    assert "Ayşe" not in name and "ayse" not in email and "mueller" not in filename
    assert only_new.decrypt(name.encode()) == "Ayşe Demir"
    assert only_new.decrypt(email.encode()) == "ayse@example.org"
    assert only_new.decrypt(filename.encode()) == "drohbrief-mueller.txt"
    with pytest.raises(ValueError, match="none of the configured keys"):
        FieldCipher([old]).decrypt(name.encode())
