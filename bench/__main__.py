"""`python -m bench`: run every benchmark case on every engine and record the results.

Options: ``--repeat N`` timed repetitions (default 7), ``--only a,b`` case names,
``--smoke`` tiny datasets and one repetition (a quick check that the harness works),
``--out DIR`` dataset cache (default bench/out), ``--results FILE`` (default
bench/RESULTS.md; ``--no-results`` skips writing), ``--no-ref`` skips zarr-python 3 and
tensorstore.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bench import latency
from bench.cases import CASES, TENSORSTORE, ZARR3
from bench.datasets import DEFAULT_OUT, FULL, SMOKE
from bench.engines import Engine, RefEngine, Zarr2Engine, ZarrcoreEngine
from bench.refclient import RefWorker, ref_python
from bench.report import format_table, load_average, write_results

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--only", default="", help="comma-separated case names")
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--no-results", action="store_true")
    parser.add_argument("--no-ref", action="store_true")
    return parser.parse_args(argv)


def _main_versions() -> dict[str, str]:
    import numcodecs
    import numpy
    import zarr

    return {
        "python": sys.version.split()[0],
        "numpy": numpy.__version__,
        "numcodecs": numcodecs.__version__,
        "zarr": zarr.__version__,
    }


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    started = time.perf_counter()
    load_start = load_average()
    if args.smoke:
        args.repeat = min(args.repeat, 1)
    datasets = SMOKE if args.smoke else FULL
    wanted = {name for name in args.only.split(",") if name}
    cases = [c for c in CASES if not wanted or c.name in wanted]
    workers: list[RefWorker] = []
    python = None if args.no_ref else ref_python()

    def builder_worker() -> RefWorker | None:
        if python is None:
            return None
        if not workers:
            workers.append(RefWorker(python))
        return workers[0]

    engines: list[Engine] = []
    why_not = ZarrcoreEngine.available()
    if why_not is None:
        engines.append(ZarrcoreEngine())
    else:
        print(f"zarrcore skipped: {why_not}")
    engines.append(Zarr2Engine())
    versions = {"main venv": _main_versions()}
    if python is not None:
        zarr3_worker, ts_worker = RefWorker(python), RefWorker(python)
        workers += [zarr3_worker, ts_worker]
        engines.append(RefEngine(ZARR3, "zarr3", zarr3_worker))
        engines.append(RefEngine(TENSORSTORE, "tensorstore", ts_worker))
        versions["reference venv"] = zarr3_worker.call(op="versions")
    else:
        print("reference engines skipped (no reference interpreter or --no-ref)")
    try:
        from bench.run import run_all

        results = run_all(
            cases,
            datasets,
            engines,
            args.out,
            repeat=args.repeat,
            warmup=args.warmup,
            ref_worker=builder_worker,
        )
        extra = [] if args.smoke or (wanted and "latency" not in wanted) else latency.run()
    finally:
        for worker in workers:
            worker.close()
    print()
    print(format_table(results))
    for line in extra:
        print(line)
    if not args.no_results:
        write_results(
            args.results,
            results,
            versions=versions,
            repeat=args.repeat,
            warmup=args.warmup,
            seconds_total=time.perf_counter() - started,
            extra=extra,
            load_start=load_start,
        )
        print(f"\nwrote {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
