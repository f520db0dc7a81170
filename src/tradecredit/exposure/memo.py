"""A decision worker's memory of its buyers' exposure: on SQLite valid while nobody else writes,
on PostgreSQL kept as the ledger's change log says.

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
keeps its buyers' exposure and the FX tables from batch to batch, and forgets what the ledger's
change log (`exposure.changes`) says other transactions changed; everything else (the locked
buyer rows) lasts one transaction (`validate` empties it). A batch of decisions locks its buyers
first, in one statement, then looks at the log (`catch_up`) and reads in two statements the
buyers it does not remember (`decisions.facts.lock_buyers`, which puts them here with `keep` and
`keep_native`); each decision takes its buyer from the memory; the buyers stay locked until the
commit, so nobody else's decision changes their exposure in between.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable
from datetime import date
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from tradecredit.context import Actor
from tradecredit.db.prepared import Sent
from tradecredit.db.writers import hold_sqlite_write_lock
from tradecredit.exposure.changes import ChangeLog
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
    """See the module docstring. One per batch thread; not thread-safe. `log`: PostgreSQL's
    change log position (its memory is kept as the log says); None: SQLite's data_version."""

    def __init__(self, *, most: int = MOST_BUYERS, log: ChangeLog | None = None) -> None:
        self._most = most
        self.log = log
        self._stamp: tuple[object, int] | None = None
        self._day: date | None = None
        self._rates: dict[uuid.UUID, RateTable] = {}
        self._natives: dict[uuid.UUID, tuple[uuid.UUID, NativeBuyer]] = {}
        """Per company: its organisation and its exposure."""
        self._rows: dict[Hashable, Any] = {}
        """Other reads (`remembered`); with a `log`, for the current transaction only."""

    def __len__(self) -> int:
        return len(self._natives) + len(self._rows)

    def clear(self) -> None:
        self._stamp = None
        self._rates.clear()
        self._natives.clear()
        self._rows.clear()
        if self.log is not None:
            self.log.reset()

    def validate(self, session: Session, *, as_of: date) -> None:
        """At the start of the session's transaction, before any read the memory serves.
        SQLite: take the write lock (if not held yet) and forget everything when another
        connection has committed, the connection is not the last one seen, or the day has
        changed. With a `log`: forget the last transaction's rows, and everything on a new day
        or a new connection (what the exposures need forgetting is `catch_up`'s)."""
        connection = session.connection()
        driver = connection.connection.driver_connection
        if self.log is not None:
            self._rows.clear()
            stamp = (driver, 0)
        else:
            hold_sqlite_write_lock(connection)
            version = connection.exec_driver_sql("PRAGMA data_version").scalar_one()
            stamp = (driver, int(version))
        if stamp != self._stamp or as_of != self._day:
            self.clear()
        self._stamp, self._day = stamp, as_of

    def catch_up(self, session: Session) -> None:
        """With a `log`, once the transaction holds the locks of the buyers it will read: forget
        the exposures other transactions changed since the last look (`exposure.changes`)."""
        if self.log is not None:
            self.caught_up(self.log.send_look(session))

    def caught_up(self, sent: Sent) -> None:
        """`catch_up`'s second step, with the change log's look sent (`ChangeLog.send_look`)."""
        assert self.log is not None
        changed = self.log.looked(sent)
        if changed is None:
            self._rates.clear()
            self._natives.clear()
            return
        for company_id in changed:
            self._natives.pop(company_id, None)

    def knows(self, *, org_id: uuid.UUID, company_id: uuid.UUID) -> bool:
        """Whether the buyer's exposure is remembered."""
        found = self._natives.get(company_id)
        return found is not None and found[0] == org_id

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
        found = self._natives.get(company_id) if self.serves(as_of) else None
        if found is not None and found[0] == actor.org_id:
            return found[1]
        rates = self.rates(session, actor=actor, as_of=as_of)
        native = one_buyer_native(
            session, actor=actor, company_id=company_id, as_of=as_of, rates=rates
        )
        self.keep_native(org_id=actor.org_id, company_id=company_id, as_of=as_of, native=native)
        return native

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
        if self.serves(as_of):
            if len(self._natives) >= self._most:
                self._natives.clear()
            self._natives[company_id] = (org_id, native)

    def forget(self, key: Hashable) -> None:
        self._rows.pop(key, None)

    def reserve(
        self, *, org_id: uuid.UUID, company_id: uuid.UUID, currency: str, amount_minor: int
    ) -> None:
        """A new order of the buyer's, written in the current transaction (see module doc)."""
        found = self._natives.get(company_id)
        if found is not None and found[0] == org_id:
            self._natives[company_id] = (
                org_id,
                found[1].with_order(company_id, currency, amount_minor),
            )
