"""Print the results table and write bench/RESULTS.md."""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
from collections.abc import Sequence
from pathlib import Path

from bench.cases import ZARRCORE
from bench.run import CaseResult

REPO_ROOT = Path(__file__).resolve().parents[1]


def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.1f}"


def _ratio(result: CaseResult, engine: str) -> str:
    """How many times longer ``engine`` took than zarrcore (>1: zarrcore faster)."""
    medians = result.medians()
    if engine not in medians or ZARRCORE not in medians or medians[ZARRCORE] <= 0:
        return "-"
    if engine == ZARRCORE:
        return "1.00"
    return f"{medians[engine] / medians[ZARRCORE]:.2f}"


def _verdict(result: CaseResult) -> str:
    met = result.target_met()
    if result.case.target is None:
        return ""
    label = {True: "MET", False: "NOT MET", None: "not measured"}[met]
    return f"{label}: {result.case.target.text}"


def rows(results: Sequence[CaseResult]) -> list[list[str]]:
    table = []
    for result in results:
        if result.skipped:
            table.append([result.case.name, "-", "-", "-", "-", "-", "-", "-", "-", result.skipped])
            continue
        for name, record in result.engines.items():
            note = record.error or ""
            if record.mismatches:
                note = f"WRONG DATA in {record.mismatches} reads " + note
            secs = record.seconds
            table.append(
                [
                    result.case.name,
                    name,
                    _ms(record.median),
                    _ms(record.median_cpu),
                    _ms(min(secs) if secs else None),
                    _ms(max(secs) if secs else None),
                    str(len(secs)),
                    _ratio(result, name),
                    str(max(record.reads)) if record.reads else "-",
                    note,
                ]
            )
    return table


HEADERS = [
    "case",
    "engine",
    "median ms",
    "cpu ms",
    "min ms",
    "max ms",
    "n",
    "time / zarrcore",
    "store reads",
    "note",
]


def format_table(results: Sequence[CaseResult]) -> str:
    table = [HEADERS, *rows(results)]
    widths = [max(len(row[i]) for row in table) for i in range(len(HEADERS) - 1)]
    lines = []
    for row in table:
        cells = [row[i].ljust(widths[i]) for i in range(len(widths))]
        lines.append(("  ".join(cells) + "  " + row[-1]).rstrip())
    lines.append("")
    lines.extend(f"{r.case.name}: {_verdict(r)}" for r in results if r.case.target)
    return "\n".join(lines)


def _markdown_table(results: Sequence[CaseResult]) -> str:
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    lines += ["| " + " | ".join(row) + " |" for row in rows(results)]
    return "\n".join(lines)


def _commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "zarrcore", "bench"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" (+ uncommitted changes in zarrcore/ or bench/)" if dirty else "")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_average() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0


def machine_lines(load_start: float | None = None) -> list[str]:
    start = "" if load_start is None else f"{load_start:.2f} at the start, "
    return [
        f"- machine: {platform.system()} {platform.release()}, {_cpu_model()}, "
        f"{os.cpu_count()} cores, 1-minute load average {start}"
        f"{load_average():.2f} at the end of the run",
    ]


AUTO_START = "<!-- python -m bench: generated section start (rewritten on every run) -->"
AUTO_END = "<!-- python -m bench: generated section end -->"


def _splice(old: str, section: str) -> str:
    """``old`` with its generated section replaced by ``section``; everything else kept."""
    if AUTO_START in old and AUTO_END in old:
        before, rest = old.split(AUTO_START, 1)
        after = rest.split(AUTO_END, 1)[1]
        return before + section + after
    title, newline, body = old.partition("\n")
    if title.startswith("# "):
        return title + newline + "\n" + section + "\n" + body.lstrip("\n")
    return "# Benchmark results\n\n" + section + ("\n\n" + old if old.strip() else "\n")


def write_results(
    path: Path,
    results: Sequence[CaseResult],
    *,
    versions: dict[str, dict[str, str]],
    repeat: int,
    warmup: int,
    seconds_total: float,
    extra: Sequence[str] = (),
    load_start: float | None = None,
) -> None:
    """Rewrite the generated section of ``path``; hand-written parts of the file are kept."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    version_lines = [
        f"- {where}: " + ", ".join(f"{k} {v}" for k, v in sorted(vs.items()))
        for where, vs in versions.items()
    ]
    verdicts = [f"- **{r.case.name}**: {_verdict(r)}" for r in results if r.case.target]
    latency = ["### Latency (bench/bench_latency.py, issue 4)", "", "```", *extra, "```", ""]
    section = "\n".join(
        [
            AUTO_START,
            "## Engine comparison (`make bench` = `python -m bench`)",
            "",
            "Times are medians over repetitions interleaved across engines; `time / zarrcore`",
            "is the engine's median divided by zarrcore's (above 1 means zarrcore is faster).",
            "`cpu ms` is the median CPU time of the engine's process (all threads) over the",
            "same timed part: on this shared machine wall time also counts waiting for a core.",
            "Every read is checked against the data generator (`WRONG DATA` otherwise).",
            "",
            f"- date: {now}",
            f"- commit: {_commit()}",
            *machine_lines(load_start),
            *version_lines,
            f"- repetitions: {repeat} timed (+{warmup} warm-up) per engine and case; "
            f"whole run {seconds_total:.0f} s",
            "",
            "### Targets",
            "",
            *verdicts,
            "",
            "### Timings",
            "",
            _markdown_table(results),
            "",
            *(latency if extra else []),
            AUTO_END,
        ]
    )
    old = path.read_text() if path.exists() else ""
    path.write_text(_splice(old, section).rstrip("\n") + "\n")
