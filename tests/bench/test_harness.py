"""The benchmark harness runs end to end on tiny datasets and checks every engine's data."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import report
from bench.cases import CASES, ZARR2, ZARRCORE, Case, Target, _at_most_reads
from bench.datasets import SMOKE
from bench.engines import Engine, Zarr2Engine, ZarrcoreEngine
from bench.run import region_box, run_all

pytestmark = pytest.mark.interop


def test_smoke_run_reads_correct_data_and_writes_results(tmp_path: Path) -> None:
    engines: list[Engine] = [Zarr2Engine()]
    if ZarrcoreEngine.available() is None:
        engines.insert(0, ZarrcoreEngine())
    v2_cases = [c for c in CASES if SMOKE[c.dataset].zarr_format == 2]
    results = run_all(
        v2_cases,
        SMOKE,
        engines,
        tmp_path / "out",
        repeat=2,
        warmup=0,
        ref_worker=lambda: None,
        log=lambda _msg: None,
    )
    assert [r.case.name for r in results] == [c.name for c in v2_cases]
    for result in results:
        for name in (e.name for e in engines):
            record = result.engines[name]
            assert record.error is None, (result.case.name, name, record.error)
            assert record.mismatches == 0, (result.case.name, name)
            assert len(record.seconds) == 2
    table = report.format_table(results)
    assert ZARR2 in table
    results_md = tmp_path / "RESULTS.md"
    results_md.write_text("# Benchmark results\n\nnotes by hand\n")
    for _ in range(2):  # the second run replaces the generated section, keeps the notes
        report.write_results(
            results_md,
            results,
            versions={"main": {"x": "1"}},
            repeat=2,
            warmup=0,
            seconds_total=1.0,
            extra=["latency line"],
        )
    text = results_md.read_text()
    assert text.count("notes by hand") == 1
    assert text.count("### Timings") == 1
    assert "latency line" in text
    if ZarrcoreEngine.available() is None:
        assert f"| {ZARRCORE} |" in text


def test_sharded_case_is_skipped_without_reference_engines(tmp_path: Path) -> None:
    sharded = [c for c in CASES if c.name == "sharded_slice"]
    results = run_all(
        sharded,
        SMOKE,
        [Zarr2Engine()],
        tmp_path,
        repeat=1,
        warmup=0,
        ref_worker=lambda: None,
        log=lambda _msg: None,
    )
    assert results[0].skipped
    assert results[0].target_met() is None


def test_region_reads_one_chunk_box_and_counts_zarrcore_store_reads(tmp_path: Path) -> None:
    if ZarrcoreEngine.available() is not None:
        pytest.skip("zarrcore lacks the API the bench needs")
    case = Case(
        "thin_region",
        "one chunk of a v2 frame",
        "thin",
        "region",
        Target("one store read", _at_most_reads(1)),
    )
    results = run_all(
        [case],
        SMOKE,
        [ZarrcoreEngine(), Zarr2Engine()],
        tmp_path,
        repeat=3,
        warmup=0,
        ref_worker=lambda: None,
        log=lambda _msg: None,
    )
    result = results[0]
    for record in result.engines.values():
        assert record.error is None and record.mismatches == 0, record
    assert result.engines[ZARRCORE].reads == [1, 1, 1]
    assert result.engines[ZARR2].reads == []
    assert result.most_reads() == {ZARRCORE: 1}
    assert result.target_met() is True
    boxes = {region_box(SMOKE["thin"], case.index(rep, 4)) for rep in range(3)}
    assert len(boxes) > 1  # the box moves between repetitions
    assert "| 1 |" in report._markdown_table(results)
