"""Instant checkout decisions under load: `tradecredit serve` + an open-loop HTTP load generator.

    python bench/decisions.py                      # SQLite and PostgreSQL, defaults below
    python bench/decisions.py --databases sqlite --duration 30 --repeats 5

Setup (not timed): the demo portfolio (seed 42) in a fresh database, a credit limit for every
buyer the limit formula recommends one for (bulk insert of the limits tables), an API key, on
PostgreSQL the ledger's change log pruned (`exposure.changes`: the load's ~155,000 rows, which
the served workers' pruner would otherwise delete in one statement of some 50-150 ms about 20 s
after the server starts, inside the first timed run), then ANALYZE (planner statistics, as after
any bulk load: without them SQLite answers the gates' oldest-overdue query through the org_id
index of allocations, 5-10x slower).
Then the API (`tradecredit serve --no-access-log`, uvloop + httptools; decisions in batches,
`api.hot`) runs in its own process group, one worker process (`tradecredit serve`'s default).
On SQLite there is one writer anyway: a single process batches every decision, and its decision
thread keeps the buyers' exposure in memory while no other connection writes (`exposure.memo`).
On PostgreSQL one worker also beat two (`--workers postgresql=2`) in session 12's A/B: at
1,000/s its batches are twice as large, so the fixed cost of a batch (BEGIN, ten statements,
the commit) is paid half as often: 1.0 core in all against 1.4, p99 10.8 ms against 15.8 ms.
A warm-up at 300/s fills the caches before the timed runs. A load generator in another
process sends POST /v1/decisions OPEN LOOP: request i is due at start + i / rate whatever the
answers do, each on one of N keep-alive connections ("clients"), all built and connected before
`start` is set (before session 12 the requests were built after it, and on a busy machine the
first ones fell due before the generator could send them); latency runs from the due time
to the last byte of the answer, so a stalled server shows as latency (no coordinated omission).
Each request has a new Idempotency-Key and a buyer drawn at random (seeded). Requests still
unanswered when the run stops count with the time they had waited (a lower bound). After each
run the bench waits until the server is idle again (`wait_idle`), so that no run starts behind
the backlog a saturated one left.

Baselines in the same run, same data, rates and clients: the same decisions one transaction per
request through the FastAPI route (`TRADECREDIT_API_DECISION_BATCHES=false`, the code path
before batching), GET /v1/decisions/{id} (the same server, authentication and one indexed
select, no write), and the fsync latency of the disk the databases live on: the floor any
durable commit pays.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select, text

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from common import (  # noqa: E402
    analyze,
    append_results,
    drop_postgres,
    fresh_postgres,
    machine_line,
)
from tradecredit.db.engine import make_engine, unit_of_work  # noqa: E402
from tradecredit.db.migrate import upgrade  # noqa: E402

PACKAGES = ("fastapi", "uvicorn", "sqlalchemy", "psycopg", "pydantic", "polars")
TARGET_P99_MS = 10.0
TARGET_RATE = 1000
WARMUP_RATE = 300
"""Decisions/s before the timed runs: the server's caches fill (the policy, the decision
worker's memory of buyers, `exposure.memo`), as they do in the first seconds of any real day.
The warm-up asks for every buyer once, in a seeded random order, before drawing at random: the
timed runs measure the steady state, not the first second of a cold cache (a warm-up of 3,000
random draws left 22% of the 2,000 buyers unseen, read in the first timed run's first second)."""


# --- setup (not timed) ---------------------------------------------------------------------------


def grant_recommended_limits(engine: Engine, org_id: uuid.UUID, today: date) -> int:
    """Every buyer with a positive recommended limit gets it as its active limit (bulk insert)."""
    from tradecredit.context import Actor
    from tradecredit.limits.models import CreditLimit, LimitDecision, LimitRequest
    from tradecredit.limits.recommend import recommend
    from tradecredit.organisations.roles import Role

    actor = Actor(org_id=org_id, name="bench", role=Role.ADMIN)
    with unit_of_work(engine) as session:
        found = recommend(session, actor=actor, as_of=today)
        rows = found.rows.filter(found.rows["recommended_minor"] > 0)
        requests, decisions, limits = [], [], []
        valid = today + timedelta(days=365)
        for company, amount, grade in rows.select(
            "company_id", "recommended_minor", "grade"
        ).iter_rows():
            common = {"org_id": org_id, "company_id": uuid.UUID(company)}
            request_id, decision_id = uuid.uuid4(), uuid.uuid4()
            requests.append(
                common
                | {
                    "id": request_id,
                    "amount_minor": amount,
                    "currency": found.currency,
                    "requested_by": "bench",
                    "as_of": today,
                    "status": "approved",
                    "request_hash": request_id.hex,
                    "confirm_below_exposure": False,
                }
            )
            decisions.append(
                common
                | {
                    "id": decision_id,
                    "request_id": request_id,
                    "outcome": "approved",
                    "amount_minor": amount,
                    "currency": found.currency,
                    "conditions": "[]",
                    "reasons": "[]",
                    "decided_on": today,
                    "valid_until": valid,
                    "decided_by": "bench",
                    "policy_version": found.policy.version,
                    "below_exposure_confirmed": False,
                    "grade": grade,
                }
            )
            limits.append(
                common
                | {
                    "decision_id": decision_id,
                    "amount_minor": amount,
                    "currency": found.currency,
                    "set_on": today,
                    "valid_until": valid,
                    "review_on": valid,
                    "grade": grade,
                    "active": True,
                }
            )
        for table, values in (
            (LimitRequest, requests),
            (LimitDecision, decisions),
            (CreditLimit, limits),
        ):
            if values:
                session.execute(insert(table), values)
    return len(limits)


@dataclass(frozen=True)
class Prepared:
    url: str
    key: str
    registrations: list[str]
    buyers: int
    limits: int


def prepare(database: str, buyers: int, workdir: Path) -> Prepared:
    from tradecredit.companies.models import Company
    from tradecredit.demo.job import run_demo
    from tradecredit.exposure.changes import prune_now
    from tradecredit.kit.clock import utcnow
    from tradecredit.organisations import service as organisations
    from tradecredit.organisations.models import Organisation
    from tradecredit.organisations.roles import Role

    if database == "sqlite":
        url = f"sqlite:///{workdir / 'decisions.db'}"
    else:
        url = fresh_postgres(f"tc_bench_decisions_{os.getpid()}")
    engine = make_engine(url)
    upgrade(engine)
    outcome = run_demo(engine, seed=42, buyers=buyers, out_dir=workdir / "report")
    with unit_of_work(engine) as session:
        org = session.scalar(select(Organisation).where(Organisation.slug == outcome.org_slug))
        assert org is not None
        org_id = org.id
        admin = organisations.system_actor(org_id, "bench")
        user = organisations.create_user(
            session, actor=admin, email="bench@checkout.test", name="bench", role=Role.ADMIN
        )
        key = organisations.issue_api_key(
            session, actor=admin, user_id=user.id, name="bench"
        ).plaintext
        registrations = [
            f"{country}/{reg}"
            for reg, country in session.execute(
                select(Company.registration_number, Company.country).where(Company.org_id == org_id)
            )
        ]
    analyze(engine)
    limits = grant_recommended_limits(engine, org_id, utcnow().date())
    if database == "postgresql":
        with unit_of_work(engine) as session:
            prune_now(session)
    analyze(engine)
    engine.dispose()
    return Prepared(url, key, sorted(registrations), len(registrations), limits)


# --- the server ----------------------------------------------------------------------------------


@contextmanager
def server(
    url: str, port: int, workers: int, *, batches: bool = True
) -> Iterator[subprocess.Popen[bytes]]:
    env = os.environ | {
        "TRADECREDIT_DATABASE_URL": url,
        "TRADECREDIT_SQLITE_SYNCHRONOUS": "FULL",
        "TRADECREDIT_API_DECISION_BATCHES": "true" if batches else "false",
    }
    command = [
        sys.executable,
        "-m",
        "tradecredit.cli.main",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    process = subprocess.Popen(command, env=env, start_new_session=True)
    try:
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_ready(port: int, key: str, limit_s: float = 180.0) -> None:
    import httpx

    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        try:
            answer = httpx.get(
                f"http://127.0.0.1:{port}/v1/decisions",
                params={"limit": 1},
                headers={"Authorization": f"Bearer {key}"},
                timeout=2,
            )
            if answer.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the server on port {port} did not answer within {limit_s} s")


def _group_cpu_seconds(group: int) -> float:
    """CPU time used so far by the processes of a process group (Linux /proc)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def wait_idle(group: int, limit_s: float = 120.0) -> None:
    """Wait until the server has worked off what a saturated run left queued (its processes
    use under 5% of a core over half a second), so no run starts behind the last one's backlog.
    Without /proc, a fixed 5 s pause."""
    if not Path("/proc/self/stat").exists():
        time.sleep(5)
        return
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        before = _group_cpu_seconds(group)
        time.sleep(0.5)
        if _group_cpu_seconds(group) - before < 0.025:
            return


# --- the open-loop load generator (runs in its own process) --------------------------------------


def _request_bytes(method: str, path: str, key: str, body: bytes, idem: str | None) -> bytes:
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: 127.0.0.1",
        f"Authorization: Bearer {key}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
    ]
    if idem:
        lines.append(f"Idempotency-Key: {idem}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    return status, await reader.readexactly(length)


async def _load(config: dict[str, Any]) -> dict[str, Any]:
    rate, clients, duration = config["rate"], config["clients"], config["duration"]
    total = int(rate * duration)
    pick = random.Random(config["seed"])
    queue: asyncio.Queue[tuple[int, float] | None] = asyncio.Queue()
    latencies: list[float] = []
    lags: list[float] = []
    statuses: dict[str, int] = {}
    every = list(config["registrations"]) if config.get("cover") else []
    pick.shuffle(every)

    def make(i: int) -> bytes:
        if config["mode"] == "read":
            path = f"/v1/decisions/{pick.choice(config['decision_ids'])}"
            return _request_bytes("GET", path, config["key"], b"", None)
        drawn = every[i] if i < len(every) else pick.choice(config["registrations"])
        country, reg = drawn.split("/", 1)
        amount = f"{pick.randint(50, 3000)}.{pick.randint(0, 99):02d}"
        body = json.dumps(
            {
                "registration_number": reg,
                "country": country,
                "currency": "EUR",
                "amount": amount,
                "terms_days": 30,
            }
        ).encode()
        return _request_bytes("POST", "/v1/decisions", config["key"], body, uuid.uuid4().hex)

    payloads = [make(i) for i in range(total)]
    connections = await asyncio.gather(
        *[asyncio.open_connection("127.0.0.1", config["port"]) for _ in range(clients)]
    )
    gc.collect()
    gc.freeze()
    start = time.perf_counter() + 0.2

    async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while (item := await queue.get()) is not None:
            index, due = item
            lags.append(time.perf_counter() - due)
            writer.write(payloads[index])
            status, body = await _answer(reader)
            latencies.append(time.perf_counter() - due)
            label = str(status)
            if status == 201:
                label = body.split(b'"outcome":"', 1)[1].split(b'"', 1)[0].decode()
            statuses[label] = statuses.get(label, 0) + 1
        writer.close()

    async def schedule() -> None:
        for index in range(total):
            due = start + index / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            queue.put_nowait((index, due))
        for _ in range(clients):
            queue.put_nowait(None)

    workers = [asyncio.create_task(client(*connection)) for connection in connections]
    stop_at = start + duration + config["grace"]
    await asyncio.wait(
        [asyncio.create_task(schedule()), *workers], timeout=stop_at - time.perf_counter()
    )
    ended = time.perf_counter()
    answered = len(latencies)
    unanswered = [ended - (start + i / rate) for i in range(answered, total)]
    for task in workers:
        task.cancel()
    last = min(ended, start + duration + config["grace"])
    return {
        "latencies": latencies + unanswered,
        "lag_p99_ms": _quantile(lags, 0.99) if lags else 0.0,
        "answered": answered,
        "total": total,
        "statuses": statuses,
        "elapsed": last - start,
    }


def _run_loop(work: Any) -> Any:
    """The generator's own event loop: uvloop where there is one (a dependency on Linux and
    macOS), so that the generator takes less of the 2 cores it shares with the server."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(work)
    return uvloop.run(work)


def load_child(config_path: str) -> None:
    config = json.loads(Path(config_path).read_text())
    result = _run_loop(_load(config))
    Path(config["out"]).write_text(json.dumps(result))


@dataclass(frozen=True)
class Run:
    p50_ms: float
    p99_ms: float
    p999_ms: float
    lag_p99_ms: float
    throughput: float
    answered: int
    total: int
    statuses: dict[str, int]


def _quantile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def run_load(config: dict[str, Any], workdir: Path) -> Run:
    name = uuid.uuid4().hex
    config_path, out = workdir / f"{name}.json", workdir / f"{name}.out.json"
    config_path.write_text(json.dumps(config | {"out": str(out)}))
    subprocess.run(
        [sys.executable, __file__, "--load-child", str(config_path)],
        check=True,
        timeout=config["duration"] + config["grace"] + 120,
    )
    result = json.loads(out.read_text())
    latencies = result["latencies"]
    return Run(
        p50_ms=_quantile(latencies, 0.50),
        p99_ms=_quantile(latencies, 0.99),
        p999_ms=_quantile(latencies, 0.999),
        lag_p99_ms=result["lag_p99_ms"],
        throughput=result["answered"] / result["elapsed"],
        answered=result["answered"],
        total=result["total"],
        statuses=result["statuses"],
    )


# --- measurement plan ----------------------------------------------------------------------------


def fsync_ms(folder: Path, count: int = 200) -> tuple[float, float]:
    path = folder / "fsync.probe"
    handle = os.open(path, os.O_WRONLY | os.O_CREAT)
    seconds = []
    try:
        for _ in range(count):
            os.write(handle, b"x" * 4096)
            began = time.perf_counter()
            os.fsync(handle)
            seconds.append(time.perf_counter() - began)
    finally:
        os.close(handle)
        path.unlink()
    return _quantile(seconds, 0.5), _quantile(seconds, 0.99)


def median_run(runs: list[Run]) -> dict[str, Any]:
    def spread(values: list[float]) -> str:
        return f"{statistics.median(values):.1f} ({min(values):.1f}-{max(values):.1f})"

    statuses: dict[str, int] = {}
    for run in runs:
        for label, n in run.statuses.items():
            statuses[label] = statuses.get(label, 0) + n
    return {
        "p50": spread([r.p50_ms for r in runs]),
        "p99": spread([r.p99_ms for r in runs]),
        "p999": spread([r.p999_ms for r in runs]),
        "lag_p99": spread([r.lag_p99_ms for r in runs]),
        "p99_median": statistics.median(r.p99_ms for r in runs),
        "throughput": spread([r.throughput for r in runs]),
        "throughput_median": statistics.median(r.throughput for r in runs),
        "unanswered": sum(r.total - r.answered for r in runs),
        "statuses": statuses,
    }


def measure(
    prepared: Prepared, args: argparse.Namespace, workdir: Path, port: int, workers: int
) -> dict[str, Any]:
    base = {
        "port": port,
        "key": prepared.key,
        "registrations": prepared.registrations,
        "duration": args.duration,
        "grace": args.grace,
        "mode": "decide",
    }

    group = 0

    def repeated(extra: dict[str, Any], seed: int) -> dict[str, Any]:
        runs = []
        for r in range(args.repeats):
            runs.append(run_load(base | extra | {"seed": seed + r}, workdir))
            wait_idle(group)
        return median_run(runs)

    results: dict[str, Any] = {"levels": {}, "sweep": {}, "unbatched": {}, "baseline": {}}
    sweep = {"clients": args.sweep_clients, "duration": args.sweep_duration or args.duration}
    warmup = {
        "rate": WARMUP_RATE,
        "clients": 16,
        "seed": 0,
        "duration": max(args.warmup, prepared.buyers / WARMUP_RATE + 2),
        "cover": True,
    }
    with server(prepared.url, port, workers) as process:
        group = process.pid
        wait_ready(port, prepared.key)
        warm_up(prepared, base | warmup, workdir, group)
        for clients in args.clients:
            results["levels"][clients] = repeated({"rate": args.rate, "clients": clients}, 1)
        for rate in args.sweep:
            results["sweep"][rate] = repeated(sweep | {"rate": rate}, 100)
        ids = decision_ids(prepared)
        for rate in args.sweep:
            read = sweep | {"rate": rate, "mode": "read", "decision_ids": ids}
            results["baseline"][rate] = repeated(read, 200)
    with server(prepared.url, port, workers, batches=False) as process:
        group = process.pid
        wait_ready(port, prepared.key)
        warm_up(prepared, base | warmup, workdir, group)
        for rate in args.sweep:
            results["unbatched"][rate] = repeated(sweep | {"rate": rate}, 300)
    return results


def warm_up(prepared: Prepared, config: dict[str, Any], workdir: Path, group: int) -> None:
    """Decisions at WARMUP_RATE, then ANALYZE, as autovacuum would once the tables the API
    fills have grown. The tables were analyzed empty after the bulk load; without autovacuum
    (this machine's PostgreSQL runs with it off) the plans PostgreSQL caches for them stay
    those of an empty table: the idempotency answer's UPDATE scans the whole table, so the
    batched server collapses as it grows. `tradecredit serve` warns when autovacuum is off."""
    run_load(config, workdir)
    wait_idle(group)
    engine = make_engine(prepared.url)
    analyze(engine)
    engine.dispose()


def decision_ids(prepared: Prepared) -> list[str]:
    engine = make_engine(prepared.url)
    with engine.connect() as connection:
        ids = [
            str(row[0])
            for row in connection.execute(text("select id from checkout_decisions limit 2000"))
        ]
    engine.dispose()
    return ids


def durability(database: str, url: str) -> str:
    if database == "sqlite":
        return "SQLite WAL, synchronous=FULL (every commit fsyncs the WAL)"
    engine = make_engine(url)
    with engine.connect() as connection:
        setting = connection.execute(text("show synchronous_commit")).scalar()
        version = connection.execute(text("show server_version")).scalar()
    engine.dispose()
    return f"PostgreSQL {version}, synchronous_commit={setting}, fsync on"


def report_lines(
    database: str, prepared: Prepared, results: dict[str, Any], args: argparse.Namespace
) -> list[str]:
    lines = [
        f"\n### {database}: {prepared.buyers} buyers, {prepared.limits} with a limit; "
        f"{results['workers']} uvicorn worker(s); open loop, {args.duration:g} s per run "
        f"({args.sweep_duration or args.duration:g} s in the sweep and the baselines), after "
        f"{args.warmup:g} s at {WARMUP_RATE}/s; {args.repeats} runs (median, min-max)\n",
        "| clients | offered/s | achieved/s | p50 ms | p99 ms | p99.9 ms | send lag p99 ms "
        "| unanswered | outcomes |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for clients, m in results["levels"].items():
        lines.append(_row(clients, args.rate, m))
    lines += [
        "",
        f"Rate sweep at {args.sweep_clients} clients: decisions in batches (the product), "
        "then two baselines on the same server and data: decisions one transaction per "
        "request through the FastAPI route (TRADECREDIT_API_DECISION_BATCHES=false, the previous "
        "code path), and the read-only GET of one decision:",
        "",
    ]
    lines += [
        "| kind | clients | offered/s | achieved/s | p50 ms | p99 ms | p99.9 ms "
        "| send lag p99 ms | unanswered | outcomes |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for rate, m in results["sweep"].items():
        lines.append("| decide " + _row(args.sweep_clients, rate, m))
    for rate, m in results["unbatched"].items():
        lines.append("| decide, unbatched " + _row(args.sweep_clients, rate, m))
    for rate, m in results["baseline"].items():
        lines.append("| GET baseline " + _row(args.sweep_clients, rate, m))
    return lines


def _row(clients: Any, rate: Any, m: dict[str, Any]) -> str:
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(m["statuses"].items()))
    return (
        f"| {clients} | {rate} | {m['throughput']} | {m['p50']} | {m['p99']} | {m['p999']} | "
        f"{m['lag_p99']} | {m['unanswered']} | {outcomes} |"
    )


def best_rate(results: dict[str, Any]) -> str:
    within = [
        rate
        for rate, m in results["sweep"].items()
        if m["p99_median"] <= TARGET_P99_MS and m["unanswered"] == 0
    ]
    return f"{max(within)}/s" if within else "none of the rates tried"


def workers_per_database(parser: argparse.ArgumentParser, text: str) -> dict[str, int]:
    """`sqlite=1,postgresql=1` as a dict (a database not named keeps its default); anything else
    stops with a usage error."""
    workers = {"sqlite": 1, "postgresql": 1}
    for pair in text.split(","):
        database, _, count = pair.partition("=")
        if database not in ("sqlite", "postgresql") or not count.isdigit() or int(count) < 1:
            parser.error(f"--workers {text!r}: write DATABASE=N pairs, e.g. sqlite=1,postgresql=2")
        workers[database] = int(count)
    return workers


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--load-child", help=argparse.SUPPRESS)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--buyers", type=int, default=2000)
    parser.add_argument(
        "--workers",
        default="sqlite=1,postgresql=1",
        help="uvicorn workers per database: one process batches all decisions (module docstring)",
    )
    parser.add_argument("--clients", default="1,16,64")
    parser.add_argument(
        "--rate", type=int, default=TARGET_RATE, help="offered rate at each client level"
    )
    parser.add_argument(
        "--sweep", default="200,400,600,800", help="rates tried for the highest within target"
    )
    parser.add_argument("--sweep-clients", type=int, default=64)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument(
        "--sweep-duration",
        type=float,
        default=None,
        help="seconds per run of the sweep and the baselines (default: --duration)",
    )
    parser.add_argument("--warmup", type=float, default=10.0)
    parser.add_argument(
        "--grace", type=float, default=3.0, help="seconds to wait for answers after the last send"
    )
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args(argv)
    if args.load_child:
        load_child(args.load_child)
        return
    args.clients = [int(c) for c in args.clients.split(",")]
    args.sweep = [int(r) for r in args.sweep.split(",")]
    workers = workers_per_database(parser, args.workers)
    all_lines: list[str] = []
    summary: list[str] = []
    with tempfile.TemporaryDirectory(dir=BENCH_DIR) as folder:
        workdir = Path(folder)
        fsync_p50, fsync_p99 = fsync_ms(workdir)
        all_lines.append(
            f"Disk fsync (4 KiB write + fsync, 200 times): p50 {fsync_p50:.1f} ms, p99 {fsync_p99:.1f} ms. "
            f"Server and load generator share the {os.cpu_count()} cores (no pinning)."
        )
        for database in args.databases.split(","):
            prepared = prepare(database, args.buyers, workdir)
            print(
                f"{database}: prepared {prepared.buyers} buyers, {prepared.limits} limits",
                flush=True,
            )
            results = measure(prepared, args, workdir, args.port, workers[database])
            results["workers"] = workers[database]
            lines = [f"\nDatabase: {durability(database, prepared.url)}"]
            lines += report_lines(database, prepared, results, args)
            print("\n".join(lines), flush=True)
            all_lines += lines
            at_target = results["levels"][max(args.clients)]
            summary.append(
                f"{database} p99 {at_target['p99_median']:.1f} ms at {args.rate}/s offered, "
                f"{at_target['throughput_median']:.0f}/s achieved ({max(args.clients)} clients); "
                f"max within target {best_rate(results)}"
            )
            if database == "postgresql":
                drop_postgres(prepared.url)
    print("\n".join(all_lines))
    machine = machine_line(PACKAGES, "databases: " + args.databases)
    final = (
        "decisions: "
        + "; ".join(summary)
        + f" (target p99 <= {TARGET_P99_MS:g} ms at >= {TARGET_RATE}/s)"
    )
    if not args.no_append:
        append_results("Checkout decisions (bench/decisions.py)", machine, [*all_lines, "", final])
    print(final)


if __name__ == "__main__":
    main()
