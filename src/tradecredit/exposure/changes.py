"""What a PostgreSQL decision worker must forget of its exposure memory (`exposure.memo`) at the
start of a batch: the buyers other transactions changed since it last looked.

Statement triggers on every table an exposure reads append (transaction id, company) to
`ledger_changes` (`exposure.models`; NULL company: anything). A worker keeps a mark: the xmin of
the snapshot in which it last looked (`pg_snapshot_xmin(pg_current_snapshot())`). Every
transaction whose writes that snapshot did not see, committed later or still running then, has
an id at or above the xmin, and snapshots' xmins never go back; so the log rows at or above the
mark name every company whose ledger may have moved since, plus some the worker saw already
(forgetting those only costs a read). The worker's own transactions are left out: their only
exposure writes are the orders reserving approvals, which the decisions add to the memory as
they write them.

The look is taken after the batch has locked its buyers (`decisions.facts.lock_buyers`): a
decision by another worker for one of them commits before the lock is granted and is therefore
in the snapshot. An import that does not lock the buyer and commits after the look is, for this
batch, as if it had committed after its reads, and the next look finds it.

Pruning deletes the rows below a cut and leaves a marker row (NULL company) just below it: a
worker whose mark is older sees the marker and forgets everything, since rows it would have
needed are gone; a worker whose mark is at or above the cut needs none of them and does not see
the marker. So any cut is safe, and two kinds of pruning keep the log small: each served
PostgreSQL worker process runs a `ChangePruner` thread that cuts every `PRUNE_EVERY_S` at the
xmin it read at its previous turn (only workers idle since then forget everything), and a file
import, which changes many buyers anyway, cuts at its own snapshot's xmin (`prune_now`).
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass, field

from sqlalchemy import BigInteger, Engine, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from tradecredit.db.prepared import Prepared, Sent

log = logging.getLogger(__name__)

PRUNE_EVERY_S = 10.0
MOST_OWN = 1000
"""Own transactions remembered above the mark. They pile up only while the cluster's xmin is
held back (a long transaction in any database): the mark is the xmin of the whole cluster."""
_NOTHING_YET = 2**62
"""A mark above any transaction id: the first look reads no rows."""

_LOOK = Prepared(
    text(
        "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint, "
        "pg_current_xact_id()::text::bigint, "
        "ARRAY(SELECT DISTINCT company_id FROM ledger_changes "
        "WHERE xid >= :mark AND xid <> ALL(:own))"
    ).bindparams(bindparam("mark", type_=BigInteger), bindparam("own", type_=ARRAY(BigInteger)))
)
_XMIN = Prepared(text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint"))
_PRUNE = Prepared(
    text(
        "WITH pruned AS (DELETE FROM ledger_changes WHERE xid < :cut) "
        "INSERT INTO ledger_changes (xid, company_id) VALUES (:cut - 1, NULL)"
    ).bindparams(bindparam("cut", type_=BigInteger))
)

Changed = frozenset[uuid.UUID] | None
"""Companies to forget; None: everything."""


@dataclass
class ChangeLog:
    """One worker's place in `ledger_changes` (module docstring). Not thread-safe."""

    mark: int | None = None
    own: list[int] = field(default_factory=list)
    """This worker's transactions at or above the mark (the current one included)."""

    def reset(self) -> None:
        """After a transaction that did not commit, or when the memory starts again."""
        self.mark = None
        self.own = []

    def keep_own(self, xid: int) -> None:
        """Remember one of this worker's transactions; past `MOST_OWN` the oldest are let go
        (the look then names the buyers of their orders, which are read again: safe)."""
        self.own.append(xid)
        if len(self.own) > MOST_OWN:
            del self.own[: len(self.own) - MOST_OWN]

    def look(self, session: Session) -> Changed:
        """The companies other transactions changed since the last look (None: forget all:
        the first look, or a pruning removed rows this worker still needed); moves the mark."""
        return self.looked(self.send_look(session))

    def send_look(self, session: Session) -> Sent:
        """`look` in two steps: the read sent (`db.prepared.Sent`), then `looked`."""
        mark = _NOTHING_YET if self.mark is None else self.mark
        return _LOOK.send(session, {"mark": mark, "own": self.own})

    def looked(self, sent: Sent) -> Changed:
        row = sent.first()
        assert row is not None
        new_mark, current, changed = row
        first = self.mark is None
        self.mark = new_mark
        self.own = [xid for xid in self.own if xid >= new_mark and xid != current]
        self.keep_own(current)
        if first or None in changed:
            return None
        return frozenset(changed)


def current_xmin(session: Session) -> int:
    """The xmin of the session's current snapshot (as a number)."""
    row = _XMIN.first(session)
    assert row is not None
    return int(row[0])


def prune_below(session: Session, *, cut: int) -> None:
    """Delete the log rows below `cut` and leave the marker just below it (module docstring).
    The caller commits."""
    _PRUNE.execute(session, {"cut": cut})


def prune_now(session: Session) -> None:
    """PostgreSQL (nothing elsewhere): prune below the current snapshot's xmin. Every worker
    forgets everything at its next look."""
    if session.get_bind().dialect.name == "postgresql":
        prune_below(session, cut=current_xmin(session))


class ChangePruner:
    """A daemon thread that prunes the log every `every` seconds below the xmin it read at its
    previous turn, until `stop` (module docstring)."""

    def __init__(self, engine: Engine, *, every: float = PRUNE_EVERY_S) -> None:
        self._engine = engine
        self._every = every
        self._previous: int | None = None
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="ledger-changes", daemon=True)
        self._thread.start()

    def prune(self) -> None:
        """One turn: cut at the previous turn's xmin (the first turn only reads it)."""
        with Session(self._engine) as session:
            xmin = current_xmin(session)
            if self._previous is not None:
                prune_below(session, cut=self._previous)
            session.commit()
        self._previous = xmin

    def _loop(self) -> None:
        while not self._stopped.wait(self._every):
            try:
                self.prune()
            except Exception:
                log.warning(
                    "pruning the ledger change log failed; trying again later", exc_info=True
                )

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=5)
