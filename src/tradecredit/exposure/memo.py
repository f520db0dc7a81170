"""A decision worker's memory of its buyers' exposure: on SQLite valid while nobody else writes,
on PostgreSQL for one transaction.

At a thousand checkout decisions a second, summing a buyer's open invoices and live orders again
for every decision (two statements over its ledger) is most of a decision's database time, and
between two decisions for the same buyer usually nothing has changed but the decisions' own
reservations.

SQLite says when something else has: `PRAGMA data_version` on a connection changes exactly when
another connection (a thread, a process, a CLI command) has committed since it was last read,
and never for the connection's own commits. The decisions' batch thread keeps a connection of
its own (`api.hot`) and calls `validate` at the start of each transaction, which holds the
database's write lock (nobody else can commit until it ends). While the version stays the same,
the only writes since a buyer's figures were read are the batch thread's own, and the only ones
of those that move an exposure are the orders reserving approvals, which the decision adds here
as it writes them (`reserve`). Another commit, another connection or a new day empties the
memory; so does a transaction that is rolled back (the caller calls `clear`), since the
reservations added during it were never stored.

What is kept is `exposure.one.NativeBuyer`, before conversion, and the day's FX table: the
position is still converted and rounded per decision exactly as without the memory. Callers may
keep other reads of the day under their own keys (`remembered`) on the same terms: nothing but
another connection changes them, or the caller forgets the key when its own write does.
PostgreSQL has no such version, and its worker processes write concurrently: there the memory
lasts one transaction (`lasting=False`: `validate` always empties it). A batch of decisions locks
and reads all its buyers first, in a few statements (`decisions.facts.lock_buyers`, which puts
them here with `keep` and `keep_native`), and each decision takes its buyer from the memory
instead of reading it again; the buyers stay locked until the commit, so nobody else's decision
changes their exposure in between.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable
from datetime import date
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from tradecredit.context import Actor
from tradecredit.db.writers import hold_sqlite_write_lock
from tradecredit.exposure.one import (
    NativeBuyer,
    OneBuyer,
    one_buyer_converted,
    one_buyer_native,
)
from tradecredit.exposure.single import LazyRates, Rates
from tradecredit.fx.rates import RateTable

T = TypeVar("T")

MOST_BUYERS = 100_000
"""Above this many buyers remembered, the memory starts again (bounded memory)."""


class _RememberedRates:
    """The organisation's table from `tables`, else read once (on first use) and kept there."""

    def __init__(self, tables: dict[uuid.UUID, RateTable], load: LazyRates, org_id: uuid.UUID):
        self._tables = tables
        self._load = load
        self._org_id = org_id

    def table(self) -> RateTable:
        found = self._tables.get(self._org_id)
        if found is None:
            found = self._tables[self._org_id] = self._load.table()
        return found


class ExposureMemo:
    """See the module docstring. One per batch thread; not thread-safe."""

    def __init__(self, *, most: int = MOST_BUYERS, lasting: bool = True) -> None:
        self._most = most
        self.lasting = lasting
        """False: valid for one transaction only (PostgreSQL, module docstring)."""
        self._stamp: tuple[object, int] | None = None
        self._day: date | None = None
        self._rates: dict[uuid.UUID, RateTable] = {}
        self._rows: dict[Hashable, Any] = {}

    def __len__(self) -> int:
        return len(self._rows)

    def clear(self) -> None:
        self._stamp = None
        self._rates.clear()
        self._rows.clear()

    def validate(self, session: Session, *, as_of: date) -> None:
        """At the start of the session's transaction, before any read the memory serves: take
        SQLite's write lock (if not held yet) and forget everything when another connection
        has committed, the connection is not the last one seen, or the day has changed.
        Not `lasting`: forget everything, and serve this transaction only."""
        connection = session.connection()
        if not self.lasting:
            self.clear()
            self._stamp, self._day = (connection, 0), as_of
            return
        hold_sqlite_write_lock(connection)
        driver = connection.connection.driver_connection
        version = connection.exec_driver_sql("PRAGMA data_version").scalar_one()
        stamp = (driver, int(version))
        if stamp != self._stamp or as_of != self._day:
            self.clear()
        self._stamp, self._day = stamp, as_of

    def serves(self, as_of: date) -> bool:
        """Whether figures on `as_of` may come from the memory (validated for that day)."""
        return self._stamp is not None and as_of == self._day

    def rates(self, session: Session, *, actor: Actor, as_of: date) -> Rates:
        """The organisation's FX table on `as_of`, read at most once while valid."""
        load = LazyRates(session, actor, as_of)
        return _RememberedRates(self._rates, load, actor.org_id) if self.serves(as_of) else load

    def native(
        self, session: Session, *, actor: Actor, company_id: uuid.UUID, as_of: date
    ) -> NativeBuyer:
        """The buyer's `NativeBuyer` on `as_of`, read from the ledger once while valid."""

        def read() -> NativeBuyer:
            rates = self.rates(session, actor=actor, as_of=as_of)
            return one_buyer_native(
                session, actor=actor, company_id=company_id, as_of=as_of, rates=rates
            )

        return self.remembered(_native_key(actor.org_id, company_id), as_of, read)

    def parts(
        self, session: Session, *, actor: Actor, company_id: uuid.UUID, as_of: date, currency: str
    ) -> OneBuyer:
        """`exposure.one.one_buyer_parts`, from the memory while it is valid."""
        native = self.native(session, actor=actor, company_id=company_id, as_of=as_of)
        rates = self.rates(session, actor=actor, as_of=as_of)
        return one_buyer_converted(native, company_id=company_id, currency=currency, rates=rates)

    def remembered(self, key: Hashable, as_of: date, read: Callable[[], T]) -> T:
        """`read()` on `as_of`, kept under `key` while the memory is valid (module docstring)."""
        if not self.serves(as_of):
            return read()
        if key in self._rows:
            found: T = self._rows[key]
            return found
        value = read()
        self.keep(key, as_of, value)
        return value

    def keep(self, key: Hashable, as_of: date, value: Any) -> None:
        """Remember `value`, read by the caller in this transaction, as `remembered` would."""
        if self.serves(as_of):
            if len(self._rows) >= self._most:
                self._rows.clear()
            self._rows[key] = value

    def keep_native(
        self, *, org_id: uuid.UUID, company_id: uuid.UUID, as_of: date, native: NativeBuyer
    ) -> None:
        """Remember a buyer's `NativeBuyer` on `as_of`, read by the caller in this transaction
        (`exposure.one.buyers_native`)."""
        self.keep(_native_key(org_id, company_id), as_of, native)

    def forget(self, key: Hashable) -> None:
        self._rows.pop(key, None)

    def reserve(
        self, *, org_id: uuid.UUID, company_id: uuid.UUID, currency: str, amount_minor: int
    ) -> None:
        """A new order of the buyer's, written in the current transaction (see module doc)."""
        key = _native_key(org_id, company_id)
        found = self._rows.get(key)
        if found is not None:
            self._rows[key] = found.with_order(company_id, currency, amount_minor)


def _native_key(org_id: uuid.UUID, company_id: uuid.UUID) -> tuple[str, uuid.UUID, uuid.UUID]:
    return ("native", org_id, company_id)
