"""Statements for hot paths: a Core statement compiled once per dialect and run straight on the
session's DBAPI connection, with SQLAlchemy's own bind and result processors.

`session.execute(statement)` spends 0.14-0.3 ms of Python per statement on this project's
2-core machines (cache key of the statement, ORM execution context, Result objects) before the
database sees it; the same statement through the DBAPI cursor costs ~0.01 ms on SQLite. A
request that runs a dozen statements (the instant checkout decision) pays that a dozen times.

`Prepared` keeps everything SQLAlchemy decides: the SQL text is the statement compiled for the
session's dialect, parameters and results pass through the column types' processors (UUIDs,
dates, UTCDateTime, DecimalText come back as with `session.execute`), database errors are
raised as the same `sqlalchemy.exc` classes, and pending ORM changes are flushed first (as
autoflush would). Limits: no expanding IN parameters, and the statement must not change after
it is wrapped (build it once, at import).

On psycopg the statement is compiled with PostgreSQL's own `$1` placeholders and run on a
`psycopg.RawCursor`, which sends it as it is. A plain psycopg cursor parses the SQL for its
`%(name)s` placeholders at every execution and keeps the result only for statements under 4,096
bytes and 50 parameters: a decision batch's multi-row idempotency claims and audit append are
over that and paid about 0.4 ms of parsing each, every batch.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from psycopg import Pipeline, RawCursor
from sqlalchemy import exc
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    positional: bool
    names: tuple[str, ...]
    """Bind names in the order the SQL wants them (positional) or as named in it."""
    keys: tuple[str, ...]
    """The caller's parameter name for each entry of `names`."""
    bind_processors: tuple[Processor, ...]
    defaults: Mapping[str, Any]
    result_processors: tuple[Processor, ...] | None
    """None when no result column needs one."""
    raw: bool
    """psycopg: the SQL has PostgreSQL's `$n` placeholders, for a RawCursor."""


def _dollar_placeholders(dialect: Dialect) -> Dialect:
    """The dialect, rendering binds as `$1, $2 ...` (PostgreSQL's own; no `%` doubled)."""
    found = copy.copy(dialect)
    found.paramstyle = "numeric_dollar"
    found.positional = True
    found.identifier_preparer = found.preparer(found)
    return found


def _compile(statement: Executable, dialect: Dialect) -> _Compiled:
    raw = dialect.driver == "psycopg"
    if raw:
        dialect = _dollar_placeholders(dialect)
    compiled = statement.compile(dialect=dialect)  # type: ignore[attr-defined]
    escaped = compiled.escaped_bind_names or {}
    binds = compiled.binds
    positional = bool(compiled.positional)
    keys: tuple[str, ...] = (
        tuple(compiled.positiontup) if positional else tuple(dict.fromkeys(binds))
    )
    names = tuple(escaped.get(key, key) for key in keys)
    processors = tuple(
        binds[key].type.dialect_impl(dialect).bind_processor(dialect) for key in keys
    )
    defaults = {
        key: bind.effective_value
        for key, bind in binds.items()
        if bind.value is not None or bind.callable is not None
    }
    columns = list(getattr(statement, "exported_columns", ()))
    results = tuple(
        column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
    )
    return _Compiled(
        sql=compiled.string,
        positional=positional,
        names=names,
        keys=keys,
        bind_processors=processors,
        defaults=defaults,
        result_processors=results if any(results) else None,
        raw=raw,
    )


class Prepared:
    """One statement, compiled on first use per dialect; see the module docstring."""

    __slots__ = ("_compiled", "statement")

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def _for(self, dialect: Dialect) -> _Compiled:
        found = self._compiled.get(dialect.name)
        if found is None:
            found = self._compiled[dialect.name] = _compile(self.statement, dialect)
        return found

    def send(self, session: Session, params: Mapping[str, Any] | None = None) -> Sent:
        """Run the statement; its rows are fetched later (`Sent`). Inside `pipelined`, nothing
        waits for the server until a result is fetched or the block ends: statements sent one
        after another there make one round trip together."""
        compiled, cursor = self._run(session, params or {})
        return Sent(compiled, cursor)

    def all(
        self, session: Session, params: Mapping[str, Any] | None = None
    ) -> list[tuple[Any, ...]]:
        """Every result row as a tuple, in the statement's column order."""
        return self.send(session, params).all()

    def first(
        self, session: Session, params: Mapping[str, Any] | None = None
    ) -> tuple[Any, ...] | None:
        """The first result row, or None."""
        return self.send(session, params).first()

    def execute(self, session: Session, params: Mapping[str, Any] | None = None) -> int:
        """Run a statement without results; the number of rows it touched."""
        _, cursor = self._run(session, params or {})
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def execute_many(self, session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run a statement without results once per parameter set (DBAPI executemany)."""
        if not rows:
            return
        connection, compiled = _connection(session, self)
        arguments = [_arguments(compiled, row) for row in rows]
        cursor = _cursor(connection, compiled)
        try:
            cursor.executemany(compiled.sql, arguments)
        except session.get_bind().dialect.loaded_dbapi.Error as error:
            raise _wrapped(session, compiled, arguments, error) from error
        finally:
            cursor.close()

    def _run(self, session: Session, params: Mapping[str, Any]) -> tuple[_Compiled, Any]:
        connection, compiled = _connection(session, self)
        arguments = _arguments(compiled, params)
        cursor = _cursor(connection, compiled)
        try:
            cursor.execute(compiled.sql, arguments)
        except session.get_bind().dialect.loaded_dbapi.Error as error:
            cursor.close()
            raise _wrapped(session, compiled, arguments, error) from error
        return compiled, cursor


@dataclass(slots=True)
class Sent:
    """A statement run by `Prepared.send`, its rows not fetched yet. Fetch them once."""

    compiled: _Compiled
    cursor: Any

    def all(self) -> list[tuple[Any, ...]]:
        """Every result row as a tuple, in the statement's column order."""
        try:
            rows = self.cursor.fetchall()
        finally:
            self.cursor.close()
        processors = self.compiled.result_processors
        if processors is None:
            return [tuple(row) for row in rows]
        return [_process(row, processors) for row in rows]

    def first(self) -> tuple[Any, ...] | None:
        """The first result row, or None."""
        try:
            row = self.cursor.fetchone()
        finally:
            self.cursor.close()
        if row is None:
            return None
        processors = self.compiled.result_processors
        return tuple(row) if processors is None else _process(row, processors)


def _cursor(connection: Any, compiled: _Compiled) -> Any:
    return RawCursor(connection) if compiled.raw else connection.cursor()


def _connection(session: Session, prepared: Prepared) -> tuple[Any, _Compiled]:
    if session.autoflush:
        session.flush()
    connection = session.connection()
    return connection.connection.dbapi_connection, prepared._for(connection.dialect)


def _arguments(compiled: _Compiled, params: Mapping[str, Any]) -> Any:
    values = {**compiled.defaults, **params} if compiled.defaults else params
    try:
        processed = [
            value if processor is None else processor(value)
            for value, processor in zip(
                (values[key] for key in compiled.keys), compiled.bind_processors, strict=True
            )
        ]
    except KeyError as missing:
        raise exc.ArgumentError(f"no value for the parameter {missing.args[0]!r}") from None
    if compiled.positional:
        return tuple(processed)
    return dict(zip(compiled.names, processed, strict=True))


def _process(row: Sequence[Any], processors: tuple[Processor, ...]) -> tuple[Any, ...]:
    return tuple(
        value if processor is None or value is None else processor(value)
        for value, processor in zip(row, processors, strict=True)
    )


def _wrapped(session: Session, compiled: _Compiled, arguments: Any, error: Exception) -> Exception:
    dialect = session.get_bind().dialect
    return exc.DBAPIError.instance(
        compiled.sql, arguments, error, dialect.loaded_dbapi.Error, dialect=dialect
    )


@contextmanager
def pipelined(session: Session) -> Iterator[None]:
    """PostgreSQL: the statements of the block are sent without waiting for each answer
    (psycopg's pipeline mode); the answers to all of them come back together, at the first
    result fetched and at the end of the block. A statement whose result is fetched still
    waits for it, and an error surfaces at that point or at the end of the block, not at the
    statement that failed. Elsewhere (or with a libpq older than 14): nothing changes."""
    connection = session.connection()
    if connection.dialect.name != "postgresql" or not Pipeline.is_supported():
        yield
        return
    if session.autoflush:
        session.flush()
    driver: Any = connection.connection.dbapi_connection
    with driver.pipeline():
        yield
