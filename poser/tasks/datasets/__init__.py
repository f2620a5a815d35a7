"""Data sets: create, rename, copy, delete, and who may use them."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

from sqlalchemy import Column, Integer, Table, func, insert, literal, select, text
from sqlalchemy.orm import Session

from poser.models.data_extraction.datasets import member_role
from poser.models.orm import (
    MEMBER_ROLES,
    Batch,
    DataSet,
    DataSetMember,
    Export,
    InputChange,
    ParameterValue,
    StepRun,
    User,
)
from poser.tasks.batches import get_handler
from poser.tasks.datasets.formats import format_for
from poser.tasks.sessions import session_of
from poser.tasks.uploads import uploads_folder
from poser.utils.progress import NullProgress, Progress

MAX_NAME = 200


class DataSetError(ValueError):
    """A data set change that cannot be made; the message is for the operator."""


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise DataSetError("A data set needs a name.")
    if len(cleaned) > MAX_NAME:
        raise DataSetError(f"Data set names are at most {MAX_NAME} characters.")
    return cleaned


def name_taken(
    dbsession: Session,
    name: str,
    application: str,
    people: list[int] | None,
    itself: int | None = None,
) -> str | None:
    """The name of another data set of ``application`` that ``name`` would repeat (in
    any case), among those of ``people`` (user ids; None: among all), or None.

    Among a person's own only: a name elsewhere is no one's business here (a data set
    answers 404 to anyone else, and its name must not leak through a refusal). Compared
    in Python (``casefold``): SQLite's lower() folds ASCII letters only."""
    wanted = " ".join(name.split()).casefold()
    query = select(DataSet.id, DataSet.name).where(DataSet.application == application)
    if people is not None:
        if not people:
            return None
        query = query.where(
            DataSet.id.in_(
                select(DataSetMember.data_set_id).where(DataSetMember.user_id.in_(people))
            )
        )
    for id_, existing in dbsession.execute(query):
        if id_ != itself and existing.casefold() == wanted:
            return str(existing)
    return None


def free_name(dbsession: Session, base: str, application: str, people: list[int]) -> str:
    """``base``, or "base (2)", "base (3)"...: the first that ``people`` have no data
    set of ``application`` by (a copy's name when the operator gave none)."""
    base = _clean_name(base)[: MAX_NAME - 6]
    name, number = base, 1
    while name_taken(dbsession, name, application, people) is not None:
        number += 1
        name = f"{base} ({number})"
    return name


def _refuse_taken(
    dbsession: Session,
    name: str,
    application: str,
    people: list[int] | None,
    itself: int | None = None,
) -> None:
    taken = name_taken(dbsession, name, application, people, itself)
    if taken is not None:
        raise DataSetError(f"There is already a data set named “{taken}”: choose another name.")


def create_data_set(
    dbsession: Session, name: str, application: str, owner: User | None, description: str = ""
) -> DataSet:
    """A new data set owned by ``owner``; DataSetError when the owner already has one
    of the same Application by that name (in any case), or the name is empty or long."""
    _refuse_taken(dbsession, _clean_name(name), application, [owner.id] if owner else None)
    data_set = DataSet(
        name=_clean_name(name),
        application=application,
        description=description,
        created_by_id=owner.id if owner else None,
    )
    dbsession.add(data_set)
    dbsession.flush()
    if owner is not None:
        dbsession.add(DataSetMember(data_set_id=data_set.id, user_id=owner.id, role="owner"))
        dbsession.flush()
    return data_set


def rename_data_set(data_set: DataSet, name: str) -> None:
    """Refused (DataSetError) when one of its members has another data set of the same
    Application by that name, in any case."""
    session = session_of(data_set)
    cleaned = _clean_name(name)
    people = list(
        session.scalars(
            select(DataSetMember.user_id).where(DataSetMember.data_set_id == data_set.id)
        )
    )
    _refuse_taken(session, cleaned, data_set.application, people, data_set.id)
    data_set.name = cleaned
    session_of(data_set).flush()


def delete_data_set(data_set: DataSet) -> list[str]:
    """Every row of the data set goes with it (foreign keys cascade in the database).

    Returns the storage folders that held its files (uploads, workbook exports, each
    batch's and each export's files), for the caller to remove once the deletion has
    committed: a removed file cannot be rolled back with a failed transaction.
    """
    session = session_of(data_set)
    batches = session.scalars(select(Batch).where(Batch.data_set_id == data_set.id))
    exports = session.scalars(select(Export).where(Export.data_set_id == data_set.id))
    folders = [uploads_folder(data_set.id), workbooks_folder(data_set.id)]
    folders += [get_handler(batch.batch_type).folder(batch) for batch in batches]
    folders += [export.folder for export in exports]
    session.delete(data_set)
    session.flush()
    return folders


def workbooks_folder(data_set_id: int) -> str:
    """Where the data set's workbook exports are stored."""
    return f"exports/data-sets/{data_set_id}"


def set_member(data_set: DataSet, user: User, role: str) -> None:
    if role not in MEMBER_ROLES:
        raise DataSetError(f"Unknown role {role!r}; choose one of {', '.join(MEMBER_ROLES)}.")
    session = session_of(data_set)
    current = session.get(DataSetMember, (data_set.id, user.id))
    if current is not None and current.role == "owner" and role != "owner":
        _keep_an_owner(data_set, user)
    if current is None:
        session.add(DataSetMember(data_set_id=data_set.id, user_id=user.id, role=role))
    else:
        current.role = role
    session.flush()


def remove_member(data_set: DataSet, user: User) -> None:
    session = session_of(data_set)
    if member_role(session, data_set.id, user.id) == "owner":
        _keep_an_owner(data_set, user)
    member = session.get(DataSetMember, (data_set.id, user.id))
    if member is not None:
        session.delete(member)
        session.flush()


def _keep_an_owner(data_set: DataSet, leaving: User) -> None:
    owners = session_of(data_set).scalar(
        select(func.count()).where(
            DataSetMember.data_set_id == data_set.id,
            DataSetMember.role == "owner",
            DataSetMember.user_id != leaving.id,
        )
    )
    if not owners:
        raise DataSetError("A data set needs at least one owner.")


def copy_data_set(
    source: DataSet, name: str, owner: User | None, progress: Progress | None = None
) -> DataSet:
    """A new data set with all of ``source``'s rows and parameters, owned by ``owner``.

    The rows are those of the tables its format declares (`formats`), and the
    framework's own: parameters, step runs, input changes. One INSERT ... SELECT per
    table. Surrogate ids are shifted by a constant per table (past the table's largest
    id), and foreign keys to those tables by the same constant, so the copy's rows
    point at each other exactly as the source's do.
    """
    progress = progress or NullProgress()
    session = session_of(source)
    copy = create_data_set(session, name, source.application, owner, source.description)
    tables = copied_tables(source.application)
    offsets: dict[str, int] = {}
    # The copy is a new, empty data set: what its format does around a load of new rows
    # (the products index their search once at the end) suits it.
    loading = format_for(source.application).loading
    with loading(session.connection(), copy.id) if loading else nullcontext():
        for done, table in enumerate(tables, start=1):
            offsets[table.name] = _copy_table(session, table, source.id, copy.id, offsets)
            progress.update(done, len(tables), f"Copied {done} of {len(tables)} tables")
    if session.get_bind().dialect.name == "postgresql":
        for table_name, offset in offsets.items():
            if offset:
                session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table_name}', 'id'), "  # noqa: S608
                        f'(SELECT max(id) FROM "{table_name}"))'
                    )
                )
    return copy


#: What the framework keeps per data set, whatever its kind: these go with a copy.
FRAMEWORK_TABLES: tuple[Table, ...] = tuple(
    model.__table__  # type: ignore[misc]
    for model in (ParameterValue, StepRun, InputChange)
)


def copied_tables(kind: str) -> list[Table]:
    """The tables whose rows a copy of a data set of ``kind`` takes, parents first."""
    return [*FRAMEWORK_TABLES, *(table.table for table in format_for(kind).tables)]


def keeps_tables(data_set: DataSet) -> bool:
    """Whether the data set's format declares tables: only then is there a workbook
    to export or load."""
    return kind_keeps_tables(data_set.application)


def kind_keeps_tables(kind: str) -> bool:
    """Whether data sets of ``kind`` keep tables (see `keeps_tables`)."""
    return bool(format_for(kind).tables)


def data_set_is_empty(data_set: DataSet) -> bool:
    """Whether none of the tables of the data set's format holds a row of it (its
    parameters do not count): a workbook loads only into such a data set."""
    return format_for(data_set.application).is_empty(session_of(data_set), data_set.id)


def _shifted_id(table: Table) -> bool:
    primary = list(table.primary_key.columns)
    return len(primary) == 1 and primary[0].name == "id" and isinstance(primary[0].type, Integer)


def _copy_table(
    session: Session, table: Table, source_id: int, copy_id: int, offsets: dict[str, int]
) -> int:
    offset = 0
    if _shifted_id(table):
        low = session.scalar(select(func.min(table.c.id)).where(table.c.data_set_id == source_id))
        if low is None:
            return 0
        high = session.scalar(select(func.max(table.c.id))) or 0
        offset = high - low + 1
    columns, values = [], []
    for column in table.columns:
        if column.computed is not None:
            continue  # the database works it out (and refuses a value)
        columns.append(column.name)
        if column.name == "data_set_id":
            values.append(literal(copy_id, Integer))
        elif column.name == "id" and offset:
            values.append(column + offset)
        else:
            parent = _shifted_parent(column, offsets)
            values.append(column + offsets[parent] if parent else column)
    query = select(*values).where(table.c.data_set_id == source_id)
    session.execute(insert(table).from_select(columns, query))
    return offset


def _shifted_parent(column: Column[Any], offsets: dict[str, int]) -> str | None:
    """The copied table whose ids ``column`` holds: by its foreign key, or by
    ``info["refers_to"]`` for a column that keeps ids without one."""
    parents = [foreign_key.column.table.name for foreign_key in column.foreign_keys]
    parents.append(column.info.get("refers_to", ""))
    for parent in parents:
        if offsets.get(parent):
            return parent
    return None
