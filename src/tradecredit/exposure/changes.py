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

The log is pruned every `PRUNE_EVERY_S` by each worker, below the mark it held at its previous
pruning (the cut), and a marker row (NULL company) is left just below the cut: a worker whose
mark is older (idle since) sees the marker and forgets everything, since rows it would have
needed are gone; a worker whose mark is at or above the cut needs none of them and does not see
the marker.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

from sqlalchemy import BigInteger, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from tradecredit.db.prepared import Prepared

PRUNE_EVERY_S = 10.0
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
    _cut: int | None = None
    _prune_due: float = 0.0

    def reset(self) -> None:
        """After a transaction that did not commit, or when the memory starts again."""
        self.mark = None
        self.own = []

    def look(self, session: Session) -> Changed:
        """The companies other transactions changed since the last look (None: forget all:
        the first look, or a pruning removed rows this worker still needed); moves the mark."""
        mark = _NOTHING_YET if self.mark is None else self.mark
        row = _LOOK.first(session, {"mark": mark, "own": self.own})
        assert row is not None
        new_mark, current, changed = row
        first = self.mark is None
        self.mark = new_mark
        self.own = [xid for xid in self.own if xid >= new_mark and xid != current]
        self.own.append(current)
        if first or None in changed:
            return None
        return frozenset(changed)

    def prune_due(self, now: float | None = None) -> bool:
        return (time.monotonic() if now is None else now) >= self._prune_due

    def prune(self, session: Session, now: float | None = None) -> None:
        """Delete the rows below the mark this worker held at its previous pruning (and leave
        the marker there); remember the current mark for the next one. The caller commits."""
        moment = time.monotonic() if now is None else now
        if self._cut is not None:
            _PRUNE.execute(session, {"cut": self._cut})
        self._cut = self.mark
        self._prune_due = moment + PRUNE_EVERY_S
