"""The main job benchmark: `python bench/demo.py` (or `make bench-demo`). Target: "`make demo` end
to end on the default portfolio in <= 60 s after installation": times `tradecredit demo` (what
`make demo` runs) cold on fresh SQLite files at 500, 2,000 and 6,000 buyers and warm, against a
baseline filling the same ledger row by row through the single-object services versus
`load_portfolio`. Installation is excluded from the target; `--install` times it once.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import os
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import polars as pl
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

import common
from common import Timing, append_results, emit, growth_exponent, machine_line, peak_rss_mib
from tradecredit.audit.models import AuditEvent
from tradecredit.companies import schemas as companies_in
from tradecredit.companies import service as companies
from tradecredit.context import Actor
from tradecredit.db.base import Base
from tradecredit.db.engine import make_engine, unit_of_work
from tradecredit.db.migrate import upgrade
from tradecredit.demo import DEMO_SELLER, Portfolio, generate_portfolio, load_portfolio
from tradecredit.demo.job import DEFAULT_END, demo_slug
from tradecredit.fx import service as fx
from tradecredit.fx.schemas import FxRateCreate
from tradecredit.organisations.roles import Role
from tradecredit.organisations.service import create_organisation
from tradecredit.receivables import schemas as ledger_in
from tradecredit.receivables import service as ledger
from tradecredit.receivables.models import Allocation, Invoice, Payment

REPO = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 60.0
DEFAULT_BUYERS = 2000
PACKAGES = ("sqlalchemy", "polars", "numpy", "pydantic")
SHAPE = ("countries", "sectors", "invoices", "payments")
LEDGER_TABLES: tuple[str, ...] = ("companies", "financial_statements", "customer_accounts")
LEDGER_TABLES += ("fx_rates", "invoices", "credit_notes", "payments", "allocations")
COUNTS = re.compile(r"sectors\W+[\d,]+ / (\d+) / (\d+).*?payments\W+([\d,]+) / ([\d,]+)", re.S)


def timing_of(seconds: list[float]) -> dict[str, Any]:
    timing = Timing(statistics.median(seconds), min(seconds), max(seconds), len(seconds), 1)
    return dataclasses.asdict(timing)


def child_cli(workdir: Path, buyers: int, seed: int) -> None:
    database = f"sqlite:///{workdir / 'tradecredit.db'}"
    env = os.environ | {"TRADECREDIT_DATABASE_URL": database, "COLUMNS": "200"}
    env["TRADECREDIT_SQLITE_SYNCHRONOUS"] = "FULL"
    command = [str(Path(sys.executable).with_name("tradecredit")), "demo", "--seed", str(seed)]
    command += ["--buyers", str(buyers), "--out", str(workdir / "out")]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"tradecredit demo failed ({done.returncode}):\n{done.stderr[-3000:]}")
    if not list((workdir / "out").glob("*.html")):
        raise SystemExit("tradecredit demo wrote no HTML report")
    steps = re.search(r"^time: (.*)$", done.stdout, re.MULTILINE)
    counts = COUNTS.search(done.stdout)
    if steps is None or counts is None:
        raise SystemExit(f"unexpected output of tradecredit demo:\n{done.stdout[-3000:]}")
    result: dict[str, Any] = {"seconds": seconds, "reused": "already loaded" in done.stdout}
    result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    result["steps"] = {k: float(v) for k, v in re.findall(r"(\w+) ([\d.]+)s", steps.group(1))}
    result["shape"] = [int(n.replace(",", "")) for n in counts.groups()]
    emit(result)


def _cli_run(workdir: Path, buyers: int, seed: int, *, cold: bool) -> dict[str, Any]:
    args = ["--workdir", str(workdir), "--buyers", str(buyers), "--seed", str(seed)]
    result = common.run_child([__file__, "--child", "cli", *args])
    if result["reused"] == cold:
        raise SystemExit(f"expected a {'cold' if cold else 'warm'} run in {workdir}")
    return result


def measure_cold(buyers: int, seed: int, repeats: int, keep: Path | None = None) -> dict[str, Any]:
    """Warm-up (into `keep` when given, for a warm series to reuse), then fresh timed runs."""
    runs = []
    for index in range(repeats + 1):
        workdir = keep if index == 0 and keep else Path(tempfile.mkdtemp(prefix="bench-demo-"))
        try:
            runs.append(_cli_run(workdir, buyers, seed, cold=True))
        finally:
            if workdir != keep:
                shutil.rmtree(workdir, ignore_errors=True)
        print(f"  cold {buyers:>5,} buyers run {index}: {runs[-1]['seconds']:.2f} s", flush=True)
    return _series(runs)


def _series(runs: list[dict[str, Any]]) -> dict[str, Any]:
    timed = runs[1:]
    names = dict.fromkeys(name for r in timed for name in r["steps"])
    steps = {s: statistics.median(r["steps"].get(s, 0.0) for r in timed) for s in names}
    rest = statistics.median(r["seconds"] - sum(r["steps"].values()) for r in timed)
    return {
        "timing": timing_of([r["seconds"] for r in timed]),
        "peak_rss_mib": max(r["peak_rss_mib"] for r in timed),
        "steps": steps | {"start-up": rest},
        "shape": dict(zip(SHAPE, timed[0]["shape"], strict=True)),
    }


def _fresh_ledger(path: Path, seed: int, buyers: int) -> tuple[Engine, Actor, Portfolio]:
    """A migrated SQLite file holding the demo organisation, and the portfolio (not timed)."""
    engine = make_engine(f"sqlite:///{path}", sqlite_synchronous="FULL")
    upgrade(engine)
    seller = {"name": DEMO_SELLER.name, "base_currency": DEMO_SELLER.base_currency}
    slug = demo_slug(seed)
    with unit_of_work(engine) as session:
        org = create_organisation(session, slug=slug, kind="seller", actor_name="bench", **seller)
    portfolio = generate_portfolio(seed=seed, buyers=buyers, end=DEFAULT_END)
    return engine, Actor(org_id=org.id, name="bench", role=Role.ADMIN), portfolio


def fill_row_by_row(session: Session, actor: Actor, portfolio: Portfolio) -> None:
    """What a user without the bulk loader writes: validate each row, call its service. Invoices,
    credit notes, then payments in date order: each payment sees the items open on its day."""
    parents_first = portfolio.companies.sort(
        pl.col("group_parent_registration_number").is_not_null(), maintain_order=True
    )
    reference_data: list[tuple[pl.DataFrame, Any, Any]] = [
        (parents_first, companies_in.CompanyCreate, companies.create_company),
        (portfolio.statements, companies_in.StatementCreate, companies.add_statement),
        (portfolio.accounts, ledger_in.AccountCreate, ledger.create_account),
        (portfolio.fx_rates, FxRateCreate, fx.add_rate),
    ]
    for frame, schema, service in reference_data:
        for row in frame.iter_rows(named=True):
            service(session, actor=actor, data=schema.model_validate(row))
    dated: list[tuple[pl.DataFrame, str, str, Any, Any]] = [
        (portfolio.invoices, "issue_date", "invoice_number", ledger_in.InvoiceCreate,
         ledger.create_invoice),
        (portfolio.credit_notes, "issue_date", "credit_note_number", ledger_in.CreditNoteCreate,
         ledger.add_credit_note),
        (portfolio.payments, "payment_date", "payment_reference", ledger_in.PaymentCreate,
         ledger.record_payment),
    ]  # fmt: skip
    events = [
        (row[day], rank, row[key], row)
        for rank, (frame, day, key, _schema, _service) in enumerate(dated)
        for row in frame.iter_rows(named=True)
    ]
    for _day, rank, _key, row in sorted(events, key=lambda event: event[:3]):
        _frame, _date, _number, schema, service = dated[rank]
        service(session, actor=actor, data=schema.model_validate(row))


def _sha256(db: Any, query: Any) -> str:
    rows = db.execute(query.order_by(*query.selected_columns))
    return hashlib.sha256(repr([tuple(row) for row in rows]).encode()).hexdigest()


def ledger_fingerprint(engine: Engine, actor: Actor) -> dict[str, Any]:
    """Row counts per table, audit events, and SHA-256 digests of the invoices and allocations."""
    org = actor.org_id
    invoices = select(Invoice.invoice_number, Invoice.amount_minor, Invoice.due_date)
    allocations = (
        select(Payment.payment_reference, Invoice.invoice_number, Allocation.amount_minor)
        .join(Payment, Payment.id == Allocation.payment_id)
        .join(Invoice, Invoice.id == Allocation.invoice_id)
    )
    tables = [Base.metadata.tables[name] for name in LEDGER_TABLES]
    count = {t.name: select(func.count()).where(t.c.org_id == org) for t in tables}
    with engine.connect() as db:
        return {
            "counts": {name: db.scalar(query) for name, query in count.items()},
            "audit_events": db.scalar(select(func.count()).where(AuditEvent.org_id == org)),
            "invoices_sha256": _sha256(db, invoices.where(Invoice.org_id == org)),
            "allocations_sha256": _sha256(db, allocations.where(Allocation.org_id == org)),
        }


def child_fill(path_name: str, workdir: Path, buyers: int, seed: int) -> None:
    engine, actor, portfolio = _fresh_ledger(workdir / "ledger.db", seed, buyers)
    same_tables = dataclasses.replace(
        portfolio, disputes=portfolio.disputes.clear(), events=portfolio.events.clear()
    )
    start = time.perf_counter()
    with unit_of_work(engine) as session:
        if path_name == "per-row":
            fill_row_by_row(session, actor, portfolio)
        else:
            load_portfolio(session, actor=actor, portfolio=same_tables)
    seconds = time.perf_counter() - start
    emit({"seconds": seconds, "peak_rss_mib": peak_rss_mib()} | ledger_fingerprint(engine, actor))


def measure_fill(path_name: str, buyers: int, seed: int, repeats: int) -> dict[str, Any]:
    runs = []
    for _ in range(repeats + 1):
        workdir = Path(tempfile.mkdtemp(prefix="bench-demo-fill-"))
        try:
            args = ["--workdir", str(workdir), "--buyers", str(buyers), "--seed", str(seed)]
            runs.append(common.run_child([__file__, "--child", path_name, *args]))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        print(f"  {path_name:<8} {buyers} buyers: {runs[-1]['seconds']:.2f} s", flush=True)
    timed = runs[1:]
    fingerprint = {k: v for k, v in timed[0].items() if k not in ("seconds", "peak_rss_mib")}
    if any({k: r[k] for k in fingerprint} != fingerprint for r in timed):
        raise SystemExit(f"{path_name}: the runs did not all write the same ledger")
    peak = max(r["peak_rss_mib"] for r in timed)
    return {"timing": timing_of([r["seconds"] for r in timed]), "peak_rss_mib": peak} | fingerprint


def measure_install(limit_s: float = 180.0) -> str:
    """`make install`'s steps (venv, pip upgrade, pip install -e .[dev]) on a copy of the project."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-demo-install-"))
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info")
    shutil.copytree(REPO / "src", workdir / "src", ignore=skip)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, workdir / name)
    pip = [str(workdir / "venv" / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    venv = [sys.executable, "-m", "venv", str(workdir / "venv")]
    start = time.perf_counter()
    try:
        for step in (venv, [*pip, "--upgrade", "pip"], [*pip, "-e", ".[dev]"]):
            left = limit_s - (time.perf_counter() - start)
            subprocess.run(step, cwd=workdir, check=True, capture_output=True, timeout=left)
        seconds = time.perf_counter() - start
    except (subprocess.TimeoutExpired, subprocess.CalledProcessError) as error:
        return f"installation not measured ({type(error).__name__}, limit {limit_s:.0f} s)"
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    steps = "`python -m venv`, pip upgrade, `pip install -e .[dev]` on a copy of the project"
    return f"installation, measured once: {seconds:.0f} s for make install's steps ({steps})"


def code_version() -> str:
    git = ["git", "-C", str(REPO)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run([*git, "status", "--porcelain", "src"], capture_output=True, text=True)
    return f"commit {head.stdout.strip()} + {len(dirty.stdout.splitlines())} files changed in src/"


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _timing_cells(result: dict[str, Any]) -> list[str]:
    t = result["timing"]
    times = [f"{t[k]:.2f}" for k in ("median_s", "min_s", "max_s")]
    return [*times, f"{t['runs']} + 1 warm-up", f"{result['peak_rss_mib']:.0f}"]


def job_lines(sizes: list[int], cold: dict[int, dict[str, Any]], warm: dict[str, Any]) -> list[str]:
    timing_heads = ("median s", "min s", "max s", "runs", "peak RSS MiB")
    lines = [_row("run", "buyers", *SHAPE, *timing_heads), "|---|" + "---:|" * 5 + "---:|" * 5]
    rows = [
        *(("cold: fresh SQLite file", n, cold[n]) for n in sizes),
        ("warm", DEFAULT_BUYERS, warm),
    ]
    for label, buyers, result in rows:
        shape = [f"{n:,}" for n in result["shape"].values()]
        lines.append(_row(label, f"{buyers:,}", *shape, *_timing_cells(result)))
    lines += ["", _row("cold, median s per step", *(f"{n:,} buyers" for n in sizes))]
    lines.append("|---|" + "---:|" * len(sizes))
    for step in dict.fromkeys(name for n in sizes for name in cold[n]["steps"]):
        lines.append(_row(step, *(f"{cold[n]['steps'].get(step, 0.0):.2f}" for n in sizes)))
    return lines


def fill_lines(buyers: int, per_row: dict[str, Any], bulk: dict[str, Any]) -> list[str]:
    heads = ("ledger rows", "audit events", "rows/s", "median s", "min s", "max s", "runs")
    lines = [_row("fill path", "buyers", *heads, "peak RSS MiB"), "|---|" + "---:|" * 9]
    for name, result in (("per-row services", per_row), ("load_portfolio", bulk)):
        rows = sum(result["counts"].values())
        rate = f"{rows / result['timing']['median_s']:,.0f}"
        counts = [f"{buyers:,}", f"{rows:,}", f"{result['audit_events']:,}", rate]
        lines.append(_row(name, *counts, *_timing_cells(result)))
    return lines


def notes(seed: int, fill_buyers: int, m: dict[str, Any], identical: bool) -> list[str]:
    per_row = m["per_row"]
    counts = ", ".join(f"{t} {n:,}" for t, n in per_row["counts"].items())
    same = "DIFFERENT ledgers (WARNING: the ratio compares unequal work)"
    if identical:
        same = "the same ledger (row counts, invoices, every allocation; SHA-256)"
    return [
        f"Measured: `tradecredit demo --seed {seed} --buyers n --out DIR` (what `make demo` runs "
        "after its install step), spawn to exit, on sqlite:///DIR/tradecredit.db; cold = new DIR "
        "per run (migrations, organisation, then the steps in the table), warm = the portfolio "
        "already loaded. Steps as the command's `time:` line prints them (0.1 s resolution); "
        "start-up = the rest (interpreter, imports, migrations, counts). Peak RSS: ru_maxrss of "
        "the command. Durability: SQLite WAL, synchronous=FULL (the default, set explicitly).",
        f"Baseline ({fill_buyers} buyers, to bound the per-row path; {counts}): each generated row "
        "-> its create-schema's `model_validate` -> its single-object service (create_company, "
        "add_statement, create_account, add_rate; then create_invoice / add_credit_note / "
        "record_payment in date order), one commit; against `load_portfolio` on the same "
        "portfolio minus disputes and company events (no single-object service for them). Fresh "
        "interpreter and migrated SQLite file per run; fill + commit timed. The per-row path "
        f"writes one hash-chained audit event per object, the loader one per table. Both wrote {same}.",
        "Cores: one measured process at a time on the shared 2-core machine; absolute times are "
        f"a hint, the in-run ratio is the figure. Code measured: {m['code']}.",
    ]


def report(args: argparse.Namespace, sizes: list[int], m: dict[str, Any]) -> tuple[list[str], str]:
    cold, warm, per_row, bulk = m["cold"], m["warm"], m["per_row"], m["bulk"]
    identical = all(
        per_row[k] == bulk[k] for k in ("counts", "invoices_sha256", "allocations_sha256")
    )
    slope = growth_exponent(sizes, [cold[n]["timing"]["median_s"] for n in sizes])
    load_slope = growth_exponent(sizes, [cold[n]["steps"]["load"] for n in sizes])
    ratio = per_row["timing"]["median_s"] / bulk["timing"]["median_s"]
    lines = [
        "",
        *job_lines(sizes, cold, warm),
        "",
        f"Growth (slope of log median time vs log buyers, {sizes[0]:,} to {sizes[-1]:,}; 1 = "
        f"linear): whole cold job {slope:.2f}, its load step {load_slope:.2f}.",
        "",
        *fill_lines(args.fill_buyers, per_row, bulk),
        "",
        *notes(args.seed, args.fill_buyers, m, identical),
        f"Installation is excluded from the target ('after installation'); {m['install']}.",
    ]
    summary = (
        f"demo: make demo job median {cold[DEFAULT_BUYERS]['timing']['median_s']:.1f} s cold on "
        f"{DEFAULT_BUYERS:,} buyers (target <= {TARGET_SECONDS:.0f} s after installation), warm "
        f"{warm['timing']['median_s']:.1f} s; growth exponent {slope:.2f} over {sizes[0]:,}-"
        f"{sizes[-1]:,} buyers; bulk loader {ratio:.0f}x the per-row service path "
        f"({args.fill_buyers} buyers, same ledger: {'yes' if identical else 'NO'})"
    )
    return lines, summary


def measure(args: argparse.Namespace, sizes: list[int]) -> dict[str, Any]:
    code, keep = code_version(), Path(tempfile.mkdtemp(prefix="bench-demo-warm-"))
    try:
        kept = {DEFAULT_BUYERS: keep}
        cold = {n: measure_cold(n, args.seed, args.repeats, kept.get(n)) for n in sizes}
        runs = range(args.repeats + 1)
        warm = [_cli_run(keep, DEFAULT_BUYERS, args.seed, cold=False) for _ in runs]
        print(f"  warm: {[round(r['seconds'], 2) for r in warm]} s", flush=True)
    finally:
        shutil.rmtree(keep, ignore_errors=True)
    measured = {
        "cold": cold,
        "warm": _series(warm),
        "per_row": measure_fill("per-row", args.fill_buyers, args.seed, args.repeats),
        "bulk": measure_fill("bulk", args.fill_buyers, args.seed, args.repeats),
        "install": measure_install() if args.install else "not measured (run with --install)",
    }
    end = code_version()
    return measured | {"code": code if code == end else f"{code} at the start, {end} at the end"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="500,2000,6000")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--fill-buyers", type=int, default=100)
    parser.add_argument("--install", action="store_true", help="also time make install's steps")
    parser.add_argument("--no-append", action="store_true", help="do not write bench/RESULTS.md")
    parser.add_argument("--child", choices=("cli", "per-row", "bulk"))
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--buyers", type=int)
    args = parser.parse_args()
    if args.child == "cli":
        return child_cli(args.workdir, args.buyers, args.seed)
    if args.child:
        return child_fill(args.child, args.workdir, args.buyers, args.seed)
    sizes = sorted({*(int(s) for s in args.sizes.split(",")), DEFAULT_BUYERS})
    machine = machine_line(PACKAGES, f"SQLite {sqlite3.sqlite_version} WAL synchronous=FULL")
    print(f"Machine: {machine}", flush=True)
    lines, summary = report(args, sizes, measure(args, sizes))
    print("\n".join(lines))
    if not args.no_append:
        append_results("Demo job (bench/demo.py)", machine, [*lines, "", f"Summary: {summary}"])
    print(summary)


if __name__ == "__main__":
    main()
