"""Baseline: the schema the code made with ``create_all`` before migrations existed.

A database made by that code (tables plus a ``schema_version`` row, no ``alembic_version``) is
recognised by ``app.security.schema`` and stamped at this revision, then upgraded like any other.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("last_seen_at", TZ, nullable=False),
    )
    op.create_index("ix_user_sessions_user_id", "user_sessions", ["user_id"])
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("ip", sa.String(64), nullable=False),
        sa.Column("at", TZ, nullable=False),
    )
    op.create_index("ix_login_failures_username_at", "login_failures", ["username", "at"])
    op.create_index("ix_login_failures_ip_at", "login_failures", ["ip", "at"])
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", TZ, nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
    )
    op.create_index("ix_audit_events_at", "audit_events", ["at"])
    op.create_index("ix_audit_events_target_at", "audit_events", ["target", "at"])
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("model_decision", sa.String(16), nullable=False),
        sa.Column("final_decision", sa.String(16), nullable=False),
        sa.Column("overridden", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(32), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
    )
    op.create_index("ix_decisions_client_at", "decisions", ["client_id", "at"])
    op.create_table(
        "schema_version",
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("applied_at", TZ, nullable=False),
    )


def downgrade() -> None:
    for table in ("schema_version", "decisions", "audit_events", "login_failures", "user_sessions", "users"):
        op.drop_table(table)
