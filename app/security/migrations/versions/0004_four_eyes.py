"""Four-eyes overrides: whether a decision awaits a manager's review, and the reviews themselves.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("approval_required", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "decision_reviews",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("decision_id", sa.Integer(), sa.ForeignKey("decisions.id"), nullable=False, unique=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("decision_reviews")
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("approval_required")
