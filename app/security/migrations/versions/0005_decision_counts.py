"""Decision counts per cell (officer, decision, followed or not, reason, grade, month), filled from the log;
an index for one officer's newest decisions.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "decision_counts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("final_decision", sa.String(16), nullable=False),
        sa.Column("overridden", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("grade", sa.String(4), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.UniqueConstraint("username", "final_decision", "overridden", "reason", "grade", "month",
                            name="uq_decision_counts_cell"),
    )
    op.create_index("ix_decisions_username_id", "decisions", ["username", "id"])
    month = ("to_char(timezone('UTC', at), 'YYYY-MM')" if op.get_bind().dialect.name == "postgresql"
             else "strftime('%Y-%m', at)")
    op.execute(
        "INSERT INTO decision_counts (username, final_decision, overridden, reason, grade, month, n) "
        f"SELECT username, final_decision, overridden, COALESCE(reason, ''), COALESCE(grade, ''), {month}, COUNT(*) "
        f"FROM decisions GROUP BY username, final_decision, overridden, COALESCE(reason, ''), COALESCE(grade, ''), {month}")


def downgrade() -> None:
    op.drop_index("ix_decisions_username_id", "decisions")
    op.drop_table("decision_counts")
