"""initial schema: users, data sets, memberships, login failures

Revision ID: 0001
Revises:
Create Date: 2026-11-21 05:58:15.526416
"""

import sqlalchemy as sa
from alembic import op

import poser.models.orm.meta

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", poser.models.orm.meta.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failure")),
    )
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_failure_address"), ["address"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_failure_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_failure_username"), ["username"], unique=False)

    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", poser.models.orm.meta.UTCDateTime(), nullable=False),
        sa.Column("last_login_at", poser.models.orm.meta.UTCDateTime(), nullable=True),
        sa.CheckConstraint("role IN ('admin', 'operator')", name=op.f("ck_user_account_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("username", name=op.f("uq_user_account_username")),
    )
    op.create_table(
        "data_set",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", poser.models.orm.meta.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_data_set_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_set")),
    )
    op.create_table(
        "data_set_member",
        sa.Column("data_set_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.CheckConstraint(
            "role IN ('owner', 'editor', 'viewer')", name=op.f("ck_data_set_member_role")
        ),
        sa.ForeignKeyConstraint(
            ["data_set_id"],
            ["data_set.id"],
            name=op.f("fk_data_set_member_data_set_id_data_set"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_data_set_member_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("data_set_id", "user_id", name=op.f("pk_data_set_member")),
    )
    with op.batch_alter_table("data_set_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_data_set_member_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("data_set_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_data_set_member_user_id"))

    op.drop_table("data_set_member")
    op.drop_table("data_set")
    op.drop_table("user_account")
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_failure_username"))
        batch_op.drop_index(batch_op.f("ix_login_failure_at"))
        batch_op.drop_index(batch_op.f("ix_login_failure_address"))

    op.drop_table("login_failure")
