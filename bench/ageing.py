"""Ageing + DSO benchmark: `python bench/ageing.py` (or `make bench-ageing`).

Measures `tradecredit.analytics.ageing.age_ledger(by="buyer")`, the production function fed the
columnar snapshot frames, against a straightforward pandas implementation and a plain Polars
group-by implementation of the same query, on deterministic ledgers of 1M, 3M and 10M invoices
(1 buyer per 10 invoices, 3 currencies). Each implementation and size runs in its own child
process (warm-up, then timed runs; peak RSS from ru_maxrss); the three results must be equal to
the cent. Results are appended to bench/RESULTS.md; the last line printed is the summary.
"""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path
from typing import Any

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ageing_data as data
from common import (
    DATA_DIR,
    append_results,
    current_rss_mib,
    emit,
    growth_exponent,
    machine_line,
    peak_rss_mib,
    run_child,
    timed_runs,
)

IMPLEMENTATIONS = ("tradecredit", "polars", "pandas")
TARGET_SECONDS = 1.0
TARGET_VS_PANDAS = 5.0
TARGET_VS_POLARS = 1.6
PERIOD_DAYS = 90
PACKAGES = ("polars", "pandas", "numpy", "pyarrow")
NOTES = (
    'Measured: `age_ledger(snapshot, by="buyer", currency="EUR")` including the snapshot\'s '
    "checks, open amounts, buckets, exact conversion, labels, sorting and both DSO figures; "
    "baselines: the same query with a join on the invoice id (pandas: index join), `cut` buckets, "
    "the same exact integer conversion of each open item, a (buyer, bucket) group-by and a pivot.",
    "What differs in the production function: settlements and invoices refer to rows by position, "
    "so open amounts and (group, bucket) sums of the converted items are exact integer scatter-adds "
    "(numpy) instead of hash joins and group-bys, with no pivot; Polars' streaming engine filters the "
    "10M invoices and sums daily sales for DSO.",
    "Cores: one process per measurement on the 2 cores (Polars uses both, numpy one); the machine "
    "is shared, so the ratios measured in the same run are the figures, absolute times a hint.",
    "Peak RSS: ru_maxrss of the measuring child (interpreter + its input frames + the step); "
    "inputs: its RSS once the inputs were loaded (pandas: its own copies only), before the runs.",
)
ROW_COLUMNS = ("group", "not_yet_due", "d1_30", "d31_60", "d61_90", "d91_120", "over_120")
COMPARED = (*ROW_COLUMNS, "total", "share_over_120_e4", "open_invoices")


def _factors() -> dict[str, tuple[int, int]]:
    from tradecredit.fx.rates import Converter, RateTable

    converter = Converter(RateTable.from_rates(data.RATES, as_of=data.AS_OF), data.REPORT_CURRENCY)
    return {c: (converter.get(c).numerator, converter.get(c).denominator) for c in data.CURRENCIES}


def _production(frames: dict[str, pl.DataFrame]) -> Any:
    from tradecredit.analytics.ageing import age_ledger
    from tradecredit.analytics.snapshot import LedgerSnapshot
    from tradecredit.fx.rates import RateTable

    rates = RateTable.from_rates(data.RATES, as_of=data.AS_OF)

    def step() -> dict[str, Any]:
        snapshot = LedgerSnapshot(data.AS_OF, **frames)
        result = age_ledger(
            snapshot,
            as_of=data.AS_OF,
            by="buyer",
            currency=data.REPORT_CURRENCY,
            rates=rates,
            dso_period_days=PERIOD_DAYS,
        )
        rows = result.rows.with_columns(pl.col("key").alias("group"))
        dso = tuple(
            None if d is None else str(d)
            for d in (result.dso.countback_days, result.dso.standard_days)
        )
        return {"rows": rows, "total": result.totals["total"], "dso": dso}

    return step


def _baseline(name: str, frames: dict[str, pl.DataFrame]) -> Any:
    import ageing_baselines as baselines

    factors = _factors()
    if name == "pandas":
        pandas_frames = {key: frame.to_pandas() for key, frame in frames.items()}
        return lambda: baselines.pandas_ageing(pandas_frames, data.AS_OF, factors, PERIOD_DAYS)
    return lambda: baselines.polars_ageing(frames, data.AS_OF, factors, PERIOD_DAYS)


def child_measure(name: str, size: int, seed: int, repeats: int, out: Path) -> None:
    """In a fresh interpreter: load the cached ledger, time `name`, record its result."""
    frames = data.load(data.data_dir(DATA_DIR, size, seed))
    step = _production(frames) if name == "tradecredit" else _baseline(name, frames)
    del frames  # pandas keeps only its own copies
    gc.collect()
    loaded_rss = current_rss_mib()
    timing = timed_runs(step, warmups=1, repeats=repeats)
    result = step()
    rows = result["rows"].select(pl.col(c).cast(pl.Int64) for c in COMPARED).sort("group")
    rows.write_parquet(out)
    emit(
        {
            "timing": timing,
            "peak_rss_mib": peak_rss_mib(),
            "inputs_rss_mib": loaded_rss,
            "dso": result["dso"],
            "total": result["total"],
            "rows": rows.height,
        }
    )


def child_generate(size: int, seed: int) -> None:
    folder = data.ensure_data(DATA_DIR, size, seed)
    frames = data.load(folder)
    emit(
        {k: v.height for k, v in frames.items()}
        | {"distinct_buyers": frames["invoices"]["company"].n_unique()}
    )


def _measure_size(size: int, seed: int, repeats: int) -> dict[str, Any]:
    shape = run_child([__file__, "--child", "generate", "--size", str(size), "--seed", str(seed)])
    measured: dict[str, Any] = {"shape": shape}
    results = {}
    for name in IMPLEMENTATIONS:
        out = data.data_dir(DATA_DIR, size, seed) / f"result-{name}.parquet"
        measured[name] = run_child(
            [
                __file__,
                "--child",
                name,
                "--size",
                str(size),
                "--seed",
                str(seed),
                "--repeats",
                str(repeats),
                "--out",
                str(out),
            ]
        )
        results[name] = pl.read_parquet(out)
        print(f"  n={size:>10,} {name:<11} {_timing_text(measured[name])}", flush=True)
    _check_identical(size, measured, results)
    return measured


def _check_identical(size: int, measured: dict[str, Any], results: dict[str, pl.DataFrame]) -> None:
    reference = results["tradecredit"]
    for name in IMPLEMENTATIONS[1:]:
        if not reference.equals(results[name]):
            raise SystemExit(f"n={size}: {name} rows differ from tradecredit's")
        for field in ("dso", "total"):
            if measured[name][field] != measured["tradecredit"][field]:
                raise SystemExit(
                    f"n={size}: {name} {field} {measured[name][field]} != tradecredit's"
                )


def _timing_text(result: dict[str, Any]) -> str:
    t = result["timing"]
    return (
        f"median {t['median_s']:.3f} s (min {t['min_s']:.3f}, max {t['max_s']:.3f}, "
        f"{t['runs']} runs after {t['warmups']} warm-up); peak RSS {result['peak_rss_mib']:.0f} MiB "
        f"(inputs loaded: {result['inputs_rss_mib']:.0f} MiB)"
    )


def _growth_words(slope: float) -> str:
    if slope < 0.9:
        return "sub-linear: fixed costs still show"
    return "about linear" if slope <= 1.1 else "faster than linear"


def _report(
    sizes: list[int], by_size: dict[int, dict[str, Any]], seed: int
) -> tuple[list[str], str]:
    lines = [
        "",
        "| invoices | buyers | rows out | impl | median s | min s | max s | peak RSS MiB | inputs MiB | time vs tradecredit |",
        "|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for size in sizes:
        m = by_size[size]
        ours = m["tradecredit"]["timing"]["median_s"]
        for name in IMPLEMENTATIONS:
            t = m[name]["timing"]
            lines.append(
                f"| {size:,} | {m['shape']['distinct_buyers']:,} | {m[name]['rows']:,} | {name} | {t['median_s']:.3f} | "
                f"{t['min_s']:.3f} | {t['max_s']:.3f} | {m[name]['peak_rss_mib']:.0f} | "
                f"{m[name]['inputs_rss_mib']:.0f} | {t['median_s'] / ours:.2f}x |"
            )
    growth = (
        {
            name: growth_exponent(sizes, [by_size[s][name]["timing"]["median_s"] for s in sizes])
            for name in IMPLEMENTATIONS
        }
        if len(sizes) > 1
        else {}
    )
    largest = by_size[sizes[-1]]
    ours = largest["tradecredit"]["timing"]["median_s"]
    vs_pandas = largest["pandas"]["timing"]["median_s"] / ours
    vs_polars = largest["polars"]["timing"]["median_s"] / ours
    dso = largest["tradecredit"]["dso"]
    lines += [
        "",
        f"Data: seed {seed}; n invoices, n/10 buyers, 3 currencies (EUR/USD/GBP), as of {data.AS_OF}; "
        f"{largest['shape']['allocations']:,} allocations and {largest['shape']['credit_notes']:,} credit notes at the largest size. "
        "All three implementations gave identical rows, totals and DSO at every size "
        f"(largest: countback {dso[0]} days, standard {dso[1]} days).",
        "Growth (slope of log time vs log size, 1 = linear): "
        + ", ".join(f"{k} {v:.2f} ({_growth_words(v)})" for k, v in growth.items()),
        *NOTES,
    ]
    summary = (
        f"ageing+DSO by buyer at {sizes[-1]:,} invoices: median {ours:.3f} s (target <= {TARGET_SECONDS} s), "
        f"{vs_pandas:.1f}x pandas (target >= {TARGET_VS_PANDAS}x), {vs_polars:.2f}x plain Polars "
        f"(target >= {TARGET_VS_POLARS}x), peak RSS {largest['tradecredit']['peak_rss_mib']:.0f} MiB"
    )
    return lines, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000000,3000000,10000000")
    parser.add_argument("--seed", type=int, default=20260930)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-append", action="store_true", help="do not write bench/RESULTS.md")
    parser.add_argument("--child", choices=("generate", *IMPLEMENTATIONS))
    parser.add_argument("--size", type=int)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.child == "generate":
        return child_generate(args.size, args.seed)
    if args.child:
        return child_measure(args.child, args.size, args.seed, args.repeats, args.out)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    machine = machine_line(PACKAGES, database="no database on the measured path (in-memory frames)")
    print(f"Machine: {machine}", flush=True)
    by_size = {size: _measure_size(size, args.seed, args.repeats) for size in sizes}
    lines, summary = _report(sizes, by_size, args.seed)
    print("\n".join(lines))
    if not args.no_append:
        append_results(
            "Ageing + DSO (bench/ageing.py)", machine, [*lines, "", f"Summary: {summary}"]
        )
    print(summary)


if __name__ == "__main__":
    main()
