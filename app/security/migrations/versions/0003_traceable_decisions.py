"""Traceable, idempotent decisions: what each one was based on, its request token, what it revises.

Existing decisions keep their rows; the new columns stay empty for them (their model, probability
and reasons were never recorded and are not invented now).

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("model_version", sa.String(100), nullable=True))
        batch.add_column(sa.Column("proba", sa.Float(), nullable=True))
        batch.add_column(sa.Column("threshold", sa.Float(), nullable=True))
        batch.add_column(sa.Column("grade", sa.String(4), nullable=True))
        batch.add_column(sa.Column("reasons", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("terms", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("request_token", sa.String(64), nullable=True))
        batch.add_column(sa.Column("revises_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("revision_reason", sa.Text(), nullable=True))
        batch.create_foreign_key("fk_decisions_revises_id", "decisions", ["revises_id"], ["id"])
    op.create_index("uq_decisions_request_token", "decisions", ["request_token"], unique=True)
    op.create_index("uq_decisions_revises_id", "decisions", ["revises_id"], unique=True)
    op.create_index("ix_decisions_at", "decisions", ["at"])


def downgrade() -> None:
    op.drop_index("ix_decisions_at", "decisions")
    op.drop_index("uq_decisions_revises_id", "decisions")
    op.drop_index("uq_decisions_request_token", "decisions")
    with op.batch_alter_table("decisions") as batch:
        batch.drop_constraint("fk_decisions_revises_id", type_="foreignkey")
        for column in ("revision_reason", "revises_id", "request_token", "terms", "reasons", "grade", "threshold",
                       "proba", "model_version"):
            batch.drop_column(column)
