"""What every benchmark needs (see ../shared/BENCHMARKS.md): the machine line, repeated timings,
child processes whose peak RSS is the measured step's, and appending results to RESULTS.md.

A measurement runs in a fresh interpreter (`run_child`), so `ru_maxrss` read there covers that
step alone: the parent only orchestrates and never holds the data.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from tradecredit.kit.clock import utcnow

BENCH_DIR = Path(__file__).resolve().parent
DATA_DIR = BENCH_DIR / "_data"
RESULTS = BENCH_DIR / "RESULTS.md"
PG_ADMIN = os.environ.get(
    "TRADECREDIT_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
"""A PostgreSQL server where the benches may create and drop their own databases."""
_RESULT_MARK = "BENCH-RESULT "


# --- the machine line -----------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def cores_available() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return float("nan")


def package_versions(names: Sequence[str]) -> str:
    found = []
    for name in names:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return ", ".join(found)


def machine_line(packages: Sequence[str], database: str | None = None) -> str:
    parts = [
        f"CPU {cpu_model()}",
        f"{cores_available()} cores available",
        f"{memory_gib():.1f} GiB RAM",
        platform.platform(),
        f"Python {platform.python_version()}",
        package_versions(packages),
    ]
    if database:
        parts.append(database)
    return "; ".join(parts)


# --- timing and memory (inside the measuring child) --------------------------------------------


@dataclass(frozen=True)
class Timing:
    median_s: float
    min_s: float
    max_s: float
    runs: int
    warmups: int

    def text(self) -> str:
        return (
            f"median {self.median_s:.3f} s (min {self.min_s:.3f}, max {self.max_s:.3f}, "
            f"{self.runs} runs after {self.warmups} warm-up)"
        )


def timed_runs(step: Callable[[], Any], *, warmups: int = 1, repeats: int = 5) -> Timing:
    """Run `step` `warmups` times untimed, then `repeats` times timed (wall clock)."""
    if repeats < 1:
        raise ValueError("at least one timed run")
    for _ in range(warmups):
        step()
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        seconds.append(time.perf_counter() - start)
    return Timing(statistics.median(seconds), min(seconds), max(seconds), repeats, warmups)


def peak_rss_mib() -> float:
    """This process's peak resident set size so far (Linux reports ru_maxrss in KiB)."""
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


def current_rss_mib() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


# --- child processes ------------------------------------------------------------------------


def emit(result: dict[str, Any]) -> None:
    """Called by a child: hand a JSON-serialisable result to the parent (last marked line)."""
    print(_RESULT_MARK + json.dumps(result, default=_json_default), flush=True)


def _json_default(value: Any) -> Any:
    if isinstance(value, Timing):
        return asdict(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def run_child(
    args: Sequence[str], *, timeout_s: float = 3600, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run `python <args>` in a fresh interpreter and return what it `emit`ted."""
    completed = subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        env={**os.environ, **(env or {})},
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(
            f"child {' '.join(args)} failed ({completed.returncode}):\n{completed.stderr[-4000:]}"
        )
    marked = [line for line in completed.stdout.splitlines() if line.startswith(_RESULT_MARK)]
    if not marked:
        raise RuntimeError(f"child {' '.join(args)} emitted no result:\n{completed.stdout[-2000:]}")
    result: dict[str, Any] = json.loads(marked[-1][len(_RESULT_MARK) :])
    return result


# --- RESULTS.md -----------------------------------------------------------------------------


def append_results(title: str, machine: str, lines: Sequence[str], *, path: Path = RESULTS) -> None:
    """Append one dated section: the title, the machine line, then the result lines."""
    stamp = utcnow().strftime("%Y-%m-%d %H:%M UTC")
    if not path.exists():
        path.write_text("# Benchmark results\n\nAppended by `bench/*.py`; newest last.\n")
    body = [f"\n## {title} ({stamp})\n", f"Machine: {machine}\n", *[f"{line}\n" for line in lines]]
    with path.open("a", encoding="utf-8") as handle:
        handle.write("".join(body))


def growth_exponent(sizes: Sequence[int], seconds: Sequence[float]) -> float:
    """Slope of log(time) against log(size) between the smallest and largest size (1 = linear)."""
    import math

    return math.log(seconds[-1] / seconds[0]) / math.log(sizes[-1] / sizes[0])


def fresh_postgres(name: str) -> str:
    """An empty database `name` on the PG_ADMIN server (dropped first if it exists); its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)


def analyze(engine: Any) -> None:
    """Planner statistics after a bulk load, as autovacuum would gather them. Without them
    PostgreSQL plans the limit formula's payment-history query as nested loops (over 12 minutes
    on 2,000 buyers) and SQLite reads the gates' oldest-overdue query through the org_id index
    (5-10x slower)."""
    from sqlalchemy import text

    with engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()


def drop_postgres(url: str) -> None:
    """Drop the database of `url` (made by `fresh_postgres`)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        name = make_url(url).database
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
