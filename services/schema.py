"""Every table of the service, registered on one metadata: what a new migration is written from, and
what the migration test compares the migrated database with. It lives outside services/store,
because it knows every stream."""

from __future__ import annotations

from sqlmodel import SQLModel

from services.dialogues import tables as dialogue_tables
from services.incidents import tables as incident_tables
from services.notify import tables as notification_tables
from services.selfchecks import tables as selfcheck_tables
from services.store import tables as backbone_tables

metadata = SQLModel.metadata
TABLE_MODULES = (backbone_tables, notification_tables, incident_tables, dialogue_tables, selfcheck_tables)
