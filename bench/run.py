"""Run cases on every engine, interleaved repetition by repetition, and collect timings."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.cases import Case
from bench.datasets import Dataset, HierarchySpec, VolumeSpec, ensure, synthetic
from bench.engines import Box, Engine
from bench.refclient import RefWorker


@dataclass
class EngineResult:
    engine: str
    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)
    #: store reads per repetition, where the engine counts them
    reads: list[int] = field(default_factory=list)
    error: str | None = None
    mismatches: int = 0

    @property
    def median(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds else None

    @property
    def median_cpu(self) -> float | None:
        return statistics.median(self.cpu_seconds) if self.cpu_seconds else None


@dataclass
class CaseResult:
    case: Case
    path: str | None
    engines: dict[str, EngineResult] = field(default_factory=dict)
    skipped: str | None = None

    def medians(self) -> dict[str, float]:
        return {
            name: r.median
            for name, r in self.engines.items()
            if r.median is not None and r.error is None
        }

    def most_reads(self) -> dict[str, int]:
        """The most store reads one repetition made, per engine that counts them."""
        return {
            name: max(r.reads) for name, r in self.engines.items() if r.reads and r.error is None
        }

    def target_met(self) -> bool | None:
        if self.case.target is None or self.skipped:
            return None
        return self.case.target.check(self.medians(), self.most_reads())


def region_box(dataset: Dataset, index: int) -> Box:
    """The inner chunk a ``region`` read of frame ``index`` asks for: it moves over the
    frame from one repetition to the next, always exactly one (inner) chunk."""
    spec = dataset.spec
    assert isinstance(spec, VolumeSpec)
    _, ny, nx = spec.shape
    _, cy, cx = spec.chunks
    y0 = (index * 3 % max(1, ny // cy)) * cy
    x0 = (index * 5 % max(1, nx // cx)) * cx
    return (y0, min(y0 + cy, ny), x0, min(x0 + cx, nx))


def expected_checksum(case: Case, dataset: Dataset, index: int, box: Box | None = None) -> int:
    """What a correct engine returns for ``case`` at ``index`` (from the generator itself)."""
    spec = dataset.spec
    if isinstance(spec, HierarchySpec):
        return spec.ngroups * spec.per_group
    _, ny, nx = spec.shape
    y0, y1, x0, x1 = (0, ny, 0, nx) if box is None else box
    return synthetic.checksum(synthetic.block(index, index + 1, y0, y1, x0, x1)[0])


def run_case(
    case: Case,
    dataset: Dataset,
    path: Path,
    engines: Sequence[Engine],
    *,
    repeat: int,
    warmup: int,
) -> CaseResult:
    result = CaseResult(case, str(path))
    nframes = dataset.spec.shape[0] if isinstance(dataset.spec, VolumeSpec) else 1
    active = [e for e in engines if e.supports(case.op, dataset.zarr_format)]
    for engine in active:
        result.engines[engine.name] = EngineResult(engine.name)
    for rep in range(warmup + repeat):
        index = case.index(rep, nframes)
        # rotate the order so no engine always runs first (cold caches) or last
        shift = rep % max(1, len(active))
        order = active[shift:] + active[:shift]
        box = region_box(dataset, index) if case.op == "region" else None
        expected = expected_checksum(case, dataset, index, box)
        for engine in order:
            record = result.engines[engine.name]
            if record.error is not None:
                continue
            try:
                measurement = engine.run(case.op, str(path), index, dataset.zarr_format, box)
            except Exception as exc:  # an engine failing must not stop the others
                record.error = f"{type(exc).__name__}: {exc}"[:300]
                continue
            if measurement.checksum != expected:
                record.mismatches += 1
            if rep >= warmup:
                record.seconds.append(measurement.seconds)
                if measurement.cpu_seconds is not None:
                    record.cpu_seconds.append(measurement.cpu_seconds)
                if measurement.reads is not None:
                    record.reads.append(measurement.reads)
    return result


def run_all(
    cases: Sequence[Case],
    datasets: dict[str, Dataset],
    engines: Sequence[Engine],
    out_dir: Path,
    *,
    repeat: int,
    warmup: int,
    ref_worker: Callable[[], RefWorker | None],
    log: Callable[[str], None] = print,
) -> list[CaseResult]:
    results = []
    for case in cases:
        dataset = datasets[case.dataset]
        path = ensure(dataset, out_dir, ref_worker=ref_worker, log=log)
        if path is None:
            results.append(CaseResult(case, None, skipped="dataset needs the reference engines"))
            continue
        log(f"running {case.name} ...")
        results.append(run_case(case, dataset, path, engines, repeat=repeat, warmup=warmup))
    return results
