"""The benchmark's runner: command line, workload, interleaved passes, best and median.

``bash scripts/bench`` (installs the engines, then runs this file), or, with the engines installed
and ``SPICEDB_LIBRARY_PATH`` set (``. .cache/env.sh``), ``.venv/bin/python benchmarks/run.py``.

Two jobs, each written to a Markdown report that docs/performance.md includes:

- the service workload (benchmarks/bench_service.py): decisions on new case objects against a
  bare call, Cedar, pycasbin and SpiceDB, engines checked for agreement first;
  ``benchmarks/service-results.md``;
- changes (benchmarks/bench_incremental.py): diff_access and relationship_changes for one
  change, check_setup and readiness at size; ``benchmarks/changes-results.md``;
- the org's size (benchmarks/bench_scale.py): from_dict, one change, the look-ups' memory, a
  million indexed cases; ``benchmarks/results.md``.

Every figure is measured once per pass, the passes repeated, with the garbage collector on as
in a running service; the report gives the best and the median pass, and the targets
(benchmarks/targets.py) are judged on ratios of figures of this one run (benchmarks/report.py
writes them). ``--quick`` is a small smoke run that writes nothing unless ``--output-dir`` (or,
with ``--only``, ``--output``) is given.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_incremental import ChangesJob
from bench_scale import ScaleJob
from bench_service import ServiceJob, agree
from report import Report, uptime
from workload import workload

HERE = Path(__file__).resolve().parent
FILES = {"service": "service-results.md", "changes": "changes-results.md", "scale": "results.md"}

__all__ = ["FULL", "QUICK", "Sizes", "agree", "interleave", "main"]


@dataclass(frozen=True)
class Sizes:
    """How big one run is."""

    users: int  # the service workload's org
    cases: int
    items: int
    questions: int  # (user, case) and (user, item) questions per pass
    engine_questions: int  # of them, asked of Cedar and pycasbin, of each kind
    spicedb_questions: int  # of those, asked of SpiceDB (tens of ms a check at 20,000 users)
    passes: int
    big_users: int  # from_dict, one change, look-ups' memory
    million: int  # indexed cases
    scale_passes: int
    setup: tuple[int, int, int]  # check_setup's users, groups, items


FULL = Sizes(
    users=20_000,
    cases=50_000,
    items=50_000,
    questions=50_000,
    engine_questions=300,
    spicedb_questions=15,
    passes=5,
    big_users=100_000,
    million=1_000_000,
    scale_passes=3,
    setup=(50_000, 500, 20_000),
)
QUICK = Sizes(
    users=2_000,
    cases=5_000,
    items=5_000,
    questions=5_000,
    engine_questions=60,
    spicedb_questions=10,
    passes=3,
    big_users=10_000,
    million=20_000,
    scale_passes=2,
    setup=(5_000, 50, 2_000),
)


def interleave(one_pass: Callable[[int], dict[str, float]], passes: int) -> dict[str, list[float]]:
    """Run ``one_pass(1)``, ..., ``one_pass(passes)`` with the collector on; samples by figure.

    Each pass measures every figure once, so a busy spell on the shared machine hits all of them
    alike and their ratios hold; the best and the median pass are reported.
    """
    gc.enable()
    samples: dict[str, list[float]] = {}
    for p in range(1, passes + 1):
        gc.collect()
        for name, value in one_pass(p).items():
            samples.setdefault(name, []).append(value)
        log(f"pass {p}/{passes} done")
    return samples


def profile(calls: Sequence[tuple[str, Callable[[], object]]], rows: int = 10) -> None:
    """cProfile each call once and print its costliest functions (by own time): what bounds it."""
    for label, call in calls:
        profiler = cProfile.Profile()
        profiler.runcall(call)
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(rows)
        body = out.getvalue()
        print(f"\n--- profile: {label} ---\n{body[body.find('   ncalls') :].rstrip()}", flush=True)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None, command: str = "bash scripts/bench") -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a small smoke run (about a minute)")
    parser.add_argument("--passes", type=int, help="interleaved passes (default 5; --quick 3)")
    parser.add_argument("--only", choices=sorted(FILES), help="run one job (default: all three)")
    parser.add_argument(
        "--output-dir", type=Path, help="where to write the reports (default: benchmarks/)"
    )
    parser.add_argument("--output", type=Path, help="with --only: the report's file")
    parser.add_argument("--profile", action="store_true", help="then cProfile each job's hot calls")
    args = parser.parse_args(argv)
    if args.output is not None and args.only is None:
        parser.error("--output needs --only (else use --output-dir)")
    s = QUICK if args.quick else FULL
    jobs = [args.only] if args.only else ["service", "changes", "scale"]
    shown = command + (" --quick" if args.quick else "")
    shown += f" --passes {args.passes}" if args.passes else ""

    def where(job: str) -> Path | None:
        if args.output is not None:
            return Path(args.output)
        if args.output_dir is not None:
            return Path(args.output_dir) / FILES[job]
        # A smoke run writes only where it is told to, so it never replaces the real figures.
        return None if args.quick else HERE / FILES[job]

    w = None
    if "service" in jobs or "changes" in jobs:
        w = workload(s.users, s.cases, s.items, s.questions)
        log(f"org of {len(w.org.users):,} users, {len(w.cases):,} cases, {len(w.items):,} items")
    if "service" in jobs:
        assert w is not None
        started, load = time.perf_counter(), uptime()
        job = ServiceJob(w, s.engine_questions, s.spicedb_questions)
        try:
            samples = interleave(job.one_pass, args.passes or s.passes)
            report = Report("The service workload", shown, load)
            job.report(samples, report)
            report.write(where("service"), time.perf_counter() - started)
            if args.profile:
                profile(job.hot_calls())
        finally:
            job.close()
        del job
        gc.collect()
    if "changes" in jobs:
        assert w is not None
        started, load = time.perf_counter(), uptime()
        changes = ChangesJob(w, *s.setup)
        samples = interleave(changes.one_pass, args.passes or s.scale_passes)
        report = Report("Changes and setup checks", shown, load)
        changes.report(samples, report)
        report.write(where("changes"), time.perf_counter() - started)
        if args.profile:
            profile(changes.hot_calls())
        del changes
    del w
    gc.collect()
    if "scale" in jobs:
        started, load = time.perf_counter(), uptime()
        scale = ScaleJob(s.big_users, s.million, s.users)
        samples = interleave(scale.one_pass, args.passes or s.scale_passes)
        report = Report("The org's size: loading, changing, memory", shown, load)
        scale.report(samples, report)
        report.write(where("scale"), time.perf_counter() - started)
        if args.profile:
            profile(scale.hot_calls())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
