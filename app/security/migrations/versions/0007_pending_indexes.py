"""Indexes for the pending overrides of /decisions: oldest first among those needing approval, and
"has this client a later decision?" as one index probe (before, the newest decision of every client
was computed over the whole log at each load: 0.1-0.2 s at 100,000 decisions).

Revision ID: 0007
Revises: 0006
"""
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_decisions_client_id_id", "decisions", ["client_id", "id"])
    op.create_index("ix_decisions_approval_id", "decisions", ["approval_required", "id"])


def downgrade() -> None:
    op.drop_index("ix_decisions_approval_id", "decisions")
    op.drop_index("ix_decisions_client_id_id", "decisions")
