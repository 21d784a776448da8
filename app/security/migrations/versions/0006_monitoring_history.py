"""Monitoring history: one stored run per month and model, and the observed outcomes of past applications
(``app.monitoring_store``; written by scripts/drift_report.py and scripts/record_outcomes.py).

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "monitoring_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("model_key", sa.String(160), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("reference", sa.String(64), nullable=False),
        sa.Column("n_applications", sa.Integer(), nullable=False),
        sa.Column("reference_rows", sa.Integer(), nullable=False),
        sa.Column("mean_proba", sa.Float(), nullable=False),
        sa.Column("approval_rate", sa.Float(), nullable=False),
        sa.Column("n_decisions", sa.Integer(), nullable=False),
        sa.Column("override_rate", sa.Float(), nullable=True),
        sa.Column("granted_rate", sa.Float(), nullable=True),
        sa.Column("score_psi", sa.Float(), nullable=True),
        sa.Column("score_drift", sa.Float(), nullable=True),
        sa.Column("score_drifted", sa.Boolean(), nullable=True),
        sa.Column("n_drifted", sa.Integer(), nullable=True),
        sa.Column("n_features", sa.Integer(), nullable=True),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("report", sa.JSON(none_as_null=True), nullable=True),
    )
    op.create_index("ix_monitoring_runs_model_period", "monitoring_runs", ["model_key", "period", "id"])
    op.create_table(
        "observed_outcomes",
        sa.Column("client_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.Column("outcome_date", sa.Date(), nullable=True),
        sa.Column("application_period", sa.String(7), nullable=True),
        sa.Column("proba_default", sa.Float(), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("model_key", sa.String(160), nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
    )
    op.create_index("ix_observed_outcomes_model_period", "observed_outcomes", ["model_key", "application_period"])


def downgrade() -> None:
    op.drop_index("ix_observed_outcomes_model_period", "observed_outcomes")
    op.drop_table("observed_outcomes")
    op.drop_index("ix_monitoring_runs_model_period", "monitoring_runs")
    op.drop_table("monitoring_runs")
