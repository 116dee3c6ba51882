"""inbox rows keyed by the handlers' stable names instead of the module they were defined in

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 01:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

RENAMED = {
    "services.pipeline.probe.record_probe": "pipeline.record_probe",
    "services.notify.requests.plan_deliveries": "notify.plan_deliveries",
    "services.incidents.handlers.open_case": "incidents.open_case",
    "services.dialogues.handlers.allocate_seat": "dialogues.allocate_seat",
    "services.dialogues.handlers.release_seat": "dialogues.release_seat",
    "services.selfchecks.handlers.score_round": "selfchecks.score_round",
}

_rename = sa.text("UPDATE inbox SET handler = :new WHERE handler = :old")


def upgrade() -> None:
    for old, new in RENAMED.items():
        op.execute(_rename.bindparams(old=old, new=new))


def downgrade() -> None:
    for old, new in RENAMED.items():
        op.execute(_rename.bindparams(old=new, new=old))
