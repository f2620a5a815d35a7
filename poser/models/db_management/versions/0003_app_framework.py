"""app framework: data set application, parameters, step runs, input changes, uploads

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 06:23:20.596241
"""

import sqlalchemy as sa
from alembic import op

import poser.models.orm.meta

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "input_change",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("changed_at", poser.models.orm.meta.UTCDateTime(), nullable=False),
        sa.Column("data_set_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["data_set_id"],
            ["data_set.id"],
            name=op.f("fk_input_change_data_set_id_data_set"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("data_set_id", "name", name=op.f("pk_input_change")),
    )
    with op.batch_alter_table("input_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_input_change_data_set_id"), ["data_set_id"], unique=False
        )

    op.create_table(
        "parameter_value",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("changed_at", poser.models.orm.meta.UTCDateTime(), nullable=False),
        sa.Column("data_set_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["data_set_id"],
            ["data_set.id"],
            name=op.f("fk_parameter_value_data_set_id_data_set"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("data_set_id", "name", name=op.f("pk_parameter_value")),
    )
    with op.batch_alter_table("parameter_value", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_parameter_value_data_set_id"), ["data_set_id"], unique=False
        )

    op.create_table(
        "step_run",
        sa.Column("step", sa.String(length=100), nullable=False),
        sa.Column("completed_at", poser.models.orm.meta.UTCDateTime(), nullable=False),
        sa.Column("data_set_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["data_set_id"],
            ["data_set.id"],
            name=op.f("fk_step_run_data_set_id_data_set"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("data_set_id", "step", name=op.f("pk_step_run")),
    )
    with op.batch_alter_table("step_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_step_run_data_set_id"), ["data_set_id"], unique=False)

    op.create_table(
        "upload",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=500), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", poser.models.orm.meta.UTCDateTime(), nullable=False),
        sa.Column("data_set_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["data_set_id"],
            ["data_set.id"],
            name=op.f("fk_upload_data_set_id_data_set"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["user_account.id"],
            name=op.f("fk_upload_uploaded_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_upload")),
        sa.UniqueConstraint("key", name=op.f("uq_upload_key")),
    )
    with op.batch_alter_table("upload", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_upload_data_set_id"), ["data_set_id"], unique=False)

    with op.batch_alter_table("data_set", schema=None) as batch_op:
        # Data sets made before Applications existed belong to none ('').
        batch_op.add_column(
            sa.Column("application", sa.String(length=100), nullable=False, server_default="")
        )
        batch_op.create_index(batch_op.f("ix_data_set_application"), ["application"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("data_set", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_data_set_application"))
        batch_op.drop_column("application")

    with op.batch_alter_table("upload", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_upload_data_set_id"))

    op.drop_table("upload")
    with op.batch_alter_table("step_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_step_run_data_set_id"))

    op.drop_table("step_run")
    with op.batch_alter_table("parameter_value", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_parameter_value_data_set_id"))

    op.drop_table("parameter_value")
    with op.batch_alter_table("input_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_input_change_data_set_id"))

    op.drop_table("input_change")
