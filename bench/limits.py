"""Recommended-limit benchmark: `python bench/limits.py`.

Measures `tradecredit.limits.recommend.recommend` (the service: stored scores, latest statements,
12-month sales, payment history and terms loaded with Core selects, exact FX conversion, then the
pure formula) over the whole demo portfolio (2,000 buyers, seed 42, as of 2026-09-30), target
<= 2 s; and the pure formula `recommend_limits` alone at 2,000 / 20,000 / 200,000 rows (the
portfolio's inputs repeated) against a straightforward per-row Python `Decimal` loop, whose
results must be equal. Baseline for the service: one `recommend(company_ids=[id])` call per buyer
(what a caller looping over buyers would do), on the first 50 buyers, extrapolated.

The demo database is built once with `run_demo` (not timed): on SQLite cached in bench/_data; on
PostgreSQL (`--database postgresql`, on $TRADECREDIT_BENCH_POSTGRES_URL's server) a database of
its own, analyzed after the load as autovacuum would, and dropped at the end. Each measurement
runs in its own child process (warm-up, then timed runs; peak RSS from ru_maxrss).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    DATA_DIR,
    analyze,
    append_results,
    current_rss_mib,
    drop_postgres,
    emit,
    fresh_postgres,
    growth_exponent,
    machine_line,
    peak_rss_mib,
    run_child,
    timed_runs,
)

AS_OF = date(2026, 9, 30)
TARGET_SECONDS = 2.0
FACTORS = (1, 10, 100)
BASELINE_BUYERS = 50
_DATABASES = {
    "sqlite": f"SQLite {sqlite3.sqlite_version} WAL file",
    "postgresql": "PostgreSQL on localhost, analyzed after the load",
}
PACKAGES = ("polars", "sqlalchemy", "numpy")


def _folder(buyers: int, seed: int) -> Path:
    return DATA_DIR / f"limits-{buyers}-{seed}"


def _postgres_name(buyers: int, seed: int) -> str:
    return f"tc_bench_limits_{buyers}_{seed}"


def _url(database: str, buyers: int, seed: int) -> str:
    if database == "sqlite":
        return f"sqlite:///{_folder(buyers, seed) / 'tradecredit.db'}"
    from sqlalchemy.engine import make_url

    from common import PG_ADMIN

    name = _postgres_name(buyers, seed)
    return make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)


def _engine(database: str, buyers: int, seed: int) -> Any:
    from tradecredit.db.engine import make_engine

    return make_engine(_url(database, buyers, seed))


def _actor(engine: Any, seed: int) -> Any:
    from sqlalchemy import select

    from tradecredit.context import Actor
    from tradecredit.db.engine import unit_of_work
    from tradecredit.organisations.models import Organisation
    from tradecredit.organisations.roles import Role

    with unit_of_work(engine) as session:
        org = session.scalars(select(Organisation).where(Organisation.slug == f"demo-{seed}")).one()
        return Actor(org_id=org.id, name="bench", role=Role.ADMIN)


def child_prepare(database: str, buyers: int, seed: int) -> None:
    from tradecredit.db.migrate import upgrade
    from tradecredit.demo.job import run_demo

    folder = _folder(buyers, seed)
    folder.mkdir(parents=True, exist_ok=True)
    if database == "postgresql":
        fresh_postgres(_postgres_name(buyers, seed))
    engine = _engine(database, buyers, seed)
    upgrade(engine)
    outcome = run_demo(engine, seed=seed, buyers=buyers, as_of=AS_OF, out_dir=folder / "out")
    analyze(engine)
    emit({"buyers": outcome.counts["buyers"], "invoices": outcome.counts["invoices"]})


def child_service(database: str, buyers: int, seed: int, repeats: int) -> None:
    from tradecredit.db.engine import unit_of_work
    from tradecredit.limits.recommend import recommend

    engine = _engine(database, buyers, seed)
    actor = _actor(engine, seed)

    def step() -> Any:
        with unit_of_work(engine) as session:
            return recommend(session, actor=actor, as_of=AS_OF)

    timing = timed_runs(step, warmups=1, repeats=repeats)
    rows = step().rows
    emit(
        {
            "timing": timing,
            "peak_rss_mib": peak_rss_mib(),
            "rows": rows.height,
            "recommended_minor": int(rows["recommended_minor"].sum()),
            "binding": dict(rows.group_by("binding").len().iter_rows()),
            "scored_now": int(sum(1 for fact in step().scores.values() if not fact.stored)),
        }
    )


def child_service_baseline(database: str, buyers: int, seed: int) -> None:
    from sqlalchemy import select

    from tradecredit.companies.models import Company
    from tradecredit.db.engine import unit_of_work
    from tradecredit.limits.recommend import recommend

    engine = _engine(database, buyers, seed)
    actor = _actor(engine, seed)
    with unit_of_work(engine) as session:
        ids = session.scalars(
            select(Company.id).where(Company.org_id == actor.org_id).order_by(Company.id)
        ).all()[:BASELINE_BUYERS]
    start = time.perf_counter()
    with unit_of_work(engine) as session:
        for company_id in ids:
            recommend(session, actor=actor, as_of=AS_OF, company_ids=[company_id])
    seconds = time.perf_counter() - start
    emit({"buyers": len(ids), "seconds": seconds, "per_buyer_s": seconds / len(ids)})


def _inputs(database: str, buyers: int, seed: int) -> tuple[pl.DataFrame, Any, Any]:
    from tradecredit.db.engine import unit_of_work
    from tradecredit.limits.inputs import buyer_inputs, scores_for
    from tradecredit.limits.policy_store import policy_in_force
    from tradecredit.limits.recommend import amounts_in

    engine = _engine(database, buyers, seed)
    actor = _actor(engine, seed)
    with unit_of_work(engine) as session:
        policy = policy_in_force(session, actor=actor)
        amounts = amounts_in(session, actor=actor, policy=policy, currency="EUR", as_of=AS_OF)
        scores = scores_for(session, actor=actor, as_of=AS_OF, company_ids=None)
        frame = buyer_inputs(
            session,
            actor=actor,
            as_of=AS_OF,
            currency="EUR",
            policy=policy.policy,
            scores=scores,
        )
    return frame, policy.policy, amounts


def _repeated(frame: pl.DataFrame, factor: int) -> pl.DataFrame:
    return pl.concat(
        [frame.with_columns(pl.col("company_id") + f"-{copy}") for copy in range(factor)]
    )


def per_row_formula(frame: pl.DataFrame, policy: Any, amounts: Any) -> list[tuple[str, int, str]]:
    """The straightforward implementation: a Python loop over rows with Decimal arithmetic."""
    out = []
    for row in frame.iter_rows(named=True):
        grade = row["grade"]
        found: dict[str, int | None] = {}
        found["grade"] = 0 if grade > policy.max_credit_grade else None
        bases = []
        if row["has_statement"]:
            for name, column in (
                ("equity_share", "equity_minor"),
                ("working_capital_share", "working_capital_minor"),
                ("revenue_share", "revenue_minor"),
            ):
                if row[column] is not None:
                    share = policy.share(name, grade)
                    bases.append(int((max(row[column], 0) * share).to_integral_value(ROUND_FLOOR)))
        found["capacity"] = min(bases) if bases else None
        found["no_financials"] = amounts.no_financials_limit if not bases else None
        months = row["history_months"] or 0
        if months < policy.progressive.established_after_months:
            steps = months // policy.progressive.step_months if row["good_history"] else 0
            found["progressive"] = min(amounts.starting_limit + steps * amounts.step, amounts.cap)
        else:
            found["progressive"] = None
        pd = row["pd"]
        found["appetite"] = (
            int(
                (Decimal(amounts.max_expected_loss) / (pd * policy.lgd)).to_integral_value(
                    ROUND_FLOOR
                )
            )
            if pd
            else None
        )
        sales = row["expected_sales_minor"]
        terms = row["payment_terms_days"]
        days = (policy.default_payment_terms_days if terms is None else terms) + policy.grace_days
        found["need"] = None if sales is None else max(sales, 0) * days // 365
        present = {k: v for k, v in found.items() if v is not None}
        smallest = min(present.values())
        binding = next(k for k, v in present.items() if v == smallest)
        unit = amounts.rounding_unit
        out.append((row["company_id"], smallest // unit * unit, binding))
    return out


def child_formula(database: str, buyers: int, seed: int, repeats: int) -> None:
    from tradecredit.limits.formula import recommend_limits

    frame, policy, amounts = _inputs(database, buyers, seed)
    results: dict[str, Any] = {}
    for factor in FACTORS:
        rows = _repeated(frame, factor)
        loaded = current_rss_mib()

        def step(rows: pl.DataFrame = rows) -> pl.DataFrame:
            return recommend_limits(rows, policy=policy, amounts=amounts)

        timing = timed_runs(step, warmups=1, repeats=repeats)
        entry: dict[str, Any] = {"rows": rows.height, "timing": timing, "inputs_rss_mib": loaded}
        if factor <= 10:
            start = time.perf_counter()
            expected = per_row_formula(rows, policy, amounts)
            entry["per_row_s"] = time.perf_counter() - start
            got = step().select("company_id", "recommended_minor", "binding").rows()
            entry["equal"] = sorted(got) == sorted(expected)
        results[str(factor)] = entry
    emit({"sizes": results, "peak_rss_mib": peak_rss_mib()})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child")
    parser.add_argument("--buyers", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    database = args.database
    if args.child == "prepare":
        return child_prepare(database, args.buyers, args.seed)
    if args.child == "service":
        return child_service(database, args.buyers, args.seed, args.repeats)
    if args.child == "baseline":
        return child_service_baseline(database, args.buyers, args.seed)
    if args.child == "formula":
        return child_formula(database, args.buyers, args.seed, args.repeats)
    common = ["--buyers", str(args.buyers), "--seed", str(args.seed), "--database", database]
    cached = database == "sqlite" and (_folder(args.buyers, args.seed) / "tradecredit.db").exists()
    if not cached:
        print("building the demo portfolio (not timed)...", flush=True)
        run_child([__file__, "--child", "prepare", *common])
    repeats = ["--repeats", str(args.repeats)]
    try:
        service = run_child([__file__, "--child", "service", *common, *repeats])
        baseline = run_child([__file__, "--child", "baseline", *common])
        formula = run_child([__file__, "--child", "formula", *common, *repeats])
    finally:
        if database == "postgresql":
            drop_postgres(_url(database, args.buyers, args.seed))
    report(args, service, baseline, formula)


def report(
    args: Any, service: dict[str, Any], baseline: dict[str, Any], formula: dict[str, Any]
) -> None:
    timing = service["timing"]
    loop_total = baseline["per_buyer_s"] * service["rows"]
    lines = [
        "",
        "| step | rows | median s | min s | max s | runs | peak RSS MiB |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| recommend() service, whole portfolio | {service['rows']:,} | {timing['median_s']:.3f} | "
        f"{timing['min_s']:.3f} | {timing['max_s']:.3f} | {timing['runs']} + 1 warm-up | "
        f"{service['peak_rss_mib']:.0f} |",
    ]
    sizes = formula["sizes"]
    for factor in FACTORS:
        entry = sizes[str(factor)]
        t = entry["timing"]
        lines.append(
            f"| recommend_limits() formula only | {entry['rows']:,} | {t['median_s']:.4f} | "
            f"{t['min_s']:.4f} | {t['max_s']:.4f} | {t['runs']} + 1 warm-up | "
            f"{formula['peak_rss_mib']:.0f} |"
        )
    per_row = [
        f"{sizes[str(f)]['rows']:,} rows: per-row Decimal loop {sizes[str(f)]['per_row_s']:.3f} s, "
        f"{sizes[str(f)]['per_row_s'] / sizes[str(f)]['timing']['median_s']:.0f}x the formula, "
        f"same results: {'yes' if sizes[str(f)]['equal'] else 'NO'}"
        for f in FACTORS
        if "per_row_s" in sizes[str(f)]
    ]
    growth = growth_exponent(
        [sizes[str(f)]["rows"] for f in FACTORS],
        [sizes[str(f)]["timing"]["median_s"] for f in FACTORS],
    )
    lines += [
        "",
        f"Service baseline: one recommend(company_ids=[id]) per buyer, {baseline['buyers']} buyers in "
        f"{baseline['seconds']:.2f} s ({baseline['per_buyer_s'] * 1000:.0f} ms per buyer), "
        f"i.e. ~{loop_total:.0f} s for {service['rows']:,} buyers: "
        f"{loop_total / timing['median_s']:.0f}x the portfolio call.",
        "Formula baseline: " + "; ".join(per_row) + ".",
        f"Formula growth (slope of log time vs log rows, 2,000 to 200,000): {growth:.2f}.",
        f"Portfolio: demo seed {args.seed}, {service['rows']:,} buyers, as of {AS_OF}, EUR; "
        f"binding constraints {service['binding']}; scores read from the stored rows "
        f"(buyers scored on the fly: {service['scored_now']}).",
        "Measured: `recommend(session, actor=..., as_of=2026-09-30)` in a fresh unit of work per run "
        f"({_DATABASES[args.database]}): policy, stored scores, statements, sales, history and terms selects, "
        "FX conversion, the formula. Cores: one measured process at a time on the shared 2-core "
        "machine; absolute times are a hint, the in-run ratios are the figures.",
    ]
    summary = (
        f"limits ({args.database}): recommend() on {service['rows']:,} buyers median {timing['median_s']:.2f} s "
        f"(target <= {TARGET_SECONDS:.0f} s); formula alone {sizes['1']['timing']['median_s'] * 1000:.1f} ms "
        f"at 2,000 rows, {sizes['100']['timing']['median_s']:.2f} s at 200,000; per-buyer service loop "
        f"{loop_total / timing['median_s']:.0f}x slower"
    )
    lines += ["", f"Summary: {summary}"]
    machine = machine_line(PACKAGES, _DATABASES[args.database])
    append_results("Recommended limits (bench/limits.py)", machine, lines)
    print("\n".join(lines))
    print(summary)


if __name__ == "__main__":
    main()
