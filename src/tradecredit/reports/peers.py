"""Peer comparison: where a company's ratios stand within a group of the portfolio. Pure Polars.

The input is the portfolio ratio frame (one row per company: its latest statement's ratios, as
`scoring.inputs.latest_ratios` gives them) with the grouping columns added (`section`,
`country`). For each ratio the company's peers are the *other* companies of its group with a
figure for that ratio. "Better than X% of peers" is the share of those peers whose figure is
strictly worse, worse read by the ratio's economic direction (a lower current ratio, a higher
leverage). Ties count as neither. With fewer than `min_peers` peers the share is missing: a
percentile of two or three companies says nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from tradecredit.kit.errors import InvalidInput
from tradecredit.scoring.ratios import RATIO_DIRECTIONS

MIN_PEERS = 5

PEER_SCHEMA: dict[str, pl.DataType] = {
    "ratio": pl.String(),
    "group": pl.String(),
    "value": pl.Float64(),
    "peers": pl.Int64(),
    "worse_peers": pl.Int64(),
    "better_than": pl.Float64(),
    "peer_median": pl.Float64(),
}


def _worse_than(name: str, value: float, directions: Mapping[str, int]) -> pl.Expr:
    direction = directions.get(name, 0)
    if direction == 0:
        raise InvalidInput(f"ratio {name!r} has no economic direction: no peer percentile")
    return pl.col(name) < value if direction < 0 else pl.col(name) > value


def peer_percentiles(
    ratios: pl.DataFrame,
    *,
    company_id: str,
    by: str,
    names: Sequence[str],
    min_peers: int = MIN_PEERS,
    directions: Mapping[str, int] = RATIO_DIRECTIONS,
) -> pl.DataFrame:
    """One row per ratio in `names` (PEER_SCHEMA): the company's group (its value of column `by`),
    its value, how many peers have the figure, how many of them are worse, the share
    `better_than` (0..1, null with fewer than `min_peers` peers or no figure of its own) and the
    peers' median. A company absent from the frame (no statement) gets nulls and its peers are
    not counted."""
    for column in ("company_id", by, *names):
        if column not in ratios.columns:
            raise InvalidInput(f"the portfolio ratio frame has no column {column!r}")
    own = ratios.filter(pl.col("company_id") == company_id)
    if own.height == 0:
        rows = [dict.fromkeys(PEER_SCHEMA) | {"ratio": name, "peers": 0} for name in names]
        return pl.DataFrame(rows, schema=PEER_SCHEMA)
    group = own[by][0]
    peers = ratios.filter((pl.col(by) == group) & (pl.col("company_id") != company_id))
    rows = []
    for name in names:
        value = own[name][0]
        counted = peers.filter(pl.col(name).is_not_null())
        worse = None if value is None else counted.filter(_worse_than(name, value, directions))
        count = counted.height
        share = None
        if worse is not None and count >= min_peers:
            share = worse.height / count
        rows.append(
            {
                "ratio": name,
                "group": group,
                "value": value,
                "peers": count,
                "worse_peers": None if worse is None else worse.height,
                "better_than": share,
                "peer_median": counted[name].median() if count else None,
            }
        )
    return pl.DataFrame(rows, schema=PEER_SCHEMA)
