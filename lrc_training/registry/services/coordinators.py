"""The coordinator read model (`registry_coordinators`): who is a coordinator, their highest level and where they
count, derived from valid level certificates (through certificates.queries), registry records, people and
organizations.

It is kept in step inside the transaction that changes any of those facts: after each ORM flush, `refresh` re-derives
the rows of the people touched (a certificate issued, revoked or moved; a registry record added, changed or removed;
a person's organization or ID number changed; an organization's region or kind changed). It is an upsert, so two
transactions touching the same person never fail on each other. A bulk statement through the session on one of
those tables (tests, benchmarks, repairs: the platform's own code makes none) re-derives every row after it runs;
so do the nightly job (jobs.rebuild_job) and `flask stats rebuild-coordinators`, for SQL run outside the application."""

from __future__ import annotations

from itertools import chain

from sqlalchemy import delete, event, func, inspect, select, true, union_all
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ...auth.models import Organization, User
from ...certificates.queries import certificates_table, holders_touched, level_holders
from ...extensions import db
from ..models import Coordinator, RegistryEntry

COLUMNS = ("user_id", "level", "organization_id", "organization_kind", "region_code")


def derived_rows(user_ids=None):
    """Select the read model's rows from the facts, for these people (an id collection or a subquery) or all."""
    certified, registered = level_holders(user_ids), select(RegistryEntry.user_id, RegistryEntry.level)
    if user_ids is not None:
        registered = registered.where(RegistryEntry.user_id.in_(user_ids))
    both = union_all(certified, registered).subquery()
    levels = select(both.c.user_id, func.min(both.c.level).label("level")).group_by(both.c.user_id).subquery()
    return (select(levels.c.user_id, levels.c.level, User.organization_id,
                   func.coalesce(Organization.kind, "none"),
                   func.coalesce(Organization.region_code, func.substr(User.id_number, 1, 6)))
            .join(User, User.id == levels.c.user_id)
            .outerjoin(Organization, Organization.id == User.organization_id)
            .where(true()))  # SQLite parses INSERT … SELECT … ON CONFLICT only after a WHERE


def _upsert(connection, rows):
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(Coordinator).from_select(COLUMNS, rows)
    return stmt.on_conflict_do_update(index_elements=["user_id"], set_={
        name: stmt.excluded[name] for name in COLUMNS if name != "user_id"})


def refresh(connection, user_ids: set[int]) -> None:
    """Re-derive these people's rows: gone for who is no longer a coordinator, upserted for the others."""
    if not user_ids:
        return
    ids = sorted(user_ids)
    still = select(derived_rows(ids).subquery().c.user_id)
    connection.execute(delete(Coordinator).where(Coordinator.user_id.in_(ids), Coordinator.user_id.not_in(still)))
    connection.execute(_upsert(connection, derived_rows(ids)))


def rebuild(connection=None) -> int:
    """Re-derive every row (in the caller's transaction); the number of coordinators."""
    connection = connection or db.session.connection()
    connection.execute(delete(Coordinator).where(Coordinator.user_id.not_in(
        select(derived_rows().subquery().c.user_id))))
    connection.execute(_upsert(connection, derived_rows()))
    return connection.execute(select(func.count()).select_from(Coordinator)).scalar_one()


def _changed(obj, *names: str) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _values(obj, name: str) -> set[int]:
    history = inspect(obj).attrs[name].history
    return {v for v in (*history.added, *history.unchanged, *history.deleted) if v}


def touched_people(session: Session) -> tuple[set[int], set[int]]:
    """(people, organizations) whose coordinator rows this flush may have changed."""
    people, organizations = holders_touched(chain(session.new, session.dirty, session.deleted)), set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, RegistryEntry):
            people |= _values(obj, "user_id")
        elif isinstance(obj, User) and obj in session.dirty and _changed(obj, "organization_id", "id_number"):
            people.add(obj.id)
        elif isinstance(obj, Organization) and obj in session.dirty and _changed(obj, "region_code", "kind"):
            organizations.add(obj.id)
    return people, organizations


def _after_flush(session: Session, _context) -> None:
    people, organizations = touched_people(session)
    if not people and not organizations:
        return
    connection = session.connection()
    if organizations:
        people |= set(connection.execute(select(Coordinator.user_id).where(
            Coordinator.organization_id.in_(organizations))).scalars())
    refresh(connection, people)


def _after_bulk_statement(state):
    """A bulk INSERT/UPDATE/DELETE through the session on a table the read model derives from (the platform's own
    code uses none; tests, benchmarks and data repairs do): run it, then re-derive every row."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return None
    table = getattr(state.statement, "table", None)
    if table is None or table.name not in _WATCHED:
        return None
    result = state.invoke_statement()
    rebuild(state.session.connection())
    return result


_WATCHED = {table.name for table in (certificates_table(), RegistryEntry.__table__, User.__table__,
                                     Organization.__table__)}


def keep_in_step() -> None:
    """Listen to every ORM flush and bulk statement (once per process, however many apps are built)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
    if not event.contains(Session, "do_orm_execute", _after_bulk_statement):
        event.listen(Session, "do_orm_execute", _after_bulk_statement)
