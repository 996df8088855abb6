"""Benchmark: the project pipeline against a naive full-page PaddleOCR baseline, same pages.

    python -m digitizer_tools.bench scans/ --docs 4 [--repeats 1] [--batch-sizes 10,200] [--out out/bench.json]

For the documents of scans/ that have ground truth (scans/truth/<document>.json), it runs
  (a) baseline: Digitizer with digitizer.ocr.fullpage.FullPageCellReader: PaddleOCR's detection + recognition over
      the whole page, each text box put into the grid cell holding its centre;
  (b) project:  digitizer.pipeline.Digitizer: grid cells read one text line at a time, numbers
      decoded over digits only;
and reports for each: pages/s (median over repeats of each run's pages/s, models loaded and one
warm-up document read before timing), cell accuracy (digitizer.evaluate.score against the truth) and
peak RSS. Each variant runs in its own freshly spawned process, so the peaks are separate (the
peak includes the interpreter, the imports and the models). The speed-up is project / baseline.

--batch-sizes N1,N2,...: the project pipeline over N pages (the sample documents cycled until N
pages are read; reports scored then dropped, as a batch run writes them out), each N in a fresh
process: pages/s and peak RSS per N, to show memory stays flat as the batch grows.
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import platform
import resource
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

from digitizer import load
from digitizer.evaluate import EvalResult, score
from digitizer.ocr.engines import ENGINES
from digitizer.report import Report
from digitizer.settings import Settings
from digitizer.types import DocumentSource

VARIANTS = ("baseline", "project")


# ---------------------------------------------------------------------------------------------
# What to run


def _page_count(path: Path) -> int:
    if path.suffix.lower() in load.PDF_SUFFIXES:
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(str(path))
        try:
            return len(pdf)
        finally:
            pdf.close()
    from PIL import Image

    with Image.open(path) as image:
        return int(getattr(image, "n_frames", 1))


def select_documents(
    scans_dir: Path, docs: int | None = None, pages_limit: int | None = None
) -> list[tuple[DocumentSource, int]]:
    """(source, pages) of the documents of scans_dir that have truth, in order, within the limits.

    pages_limit keeps adding whole documents while the total stays within it (always at least one).
    """
    truth_dir = Path(scans_dir) / "truth"
    truths = {p.stem for p in truth_dir.glob("*.json")}
    chosen: list[tuple[DocumentSource, int]] = []
    total = 0
    for source in load.discover([Path(scans_dir)]):
        if source.document not in truths:
            continue
        if docs is not None and len(chosen) >= docs:
            break
        pages = sum(_page_count(p) for p in source.paths)
        if pages_limit is not None and chosen and total + pages > pages_limit:
            break
        chosen.append((source, pages))
        total += pages
    return chosen


def _truth(scans_dir: Path, document: str) -> dict:
    return json.loads((Path(scans_dir) / "truth" / f"{document}.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# Inside one (spawned) process


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB on Linux


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _current_rss_mb() -> float:
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)
    except OSError:
        return float("nan")


def _make(variant: str, settings: Settings):
    """A digitizer for the variant with its models loaded."""
    if variant == "baseline":
        from digitizer.ocr.fullpage import FullPageCellReader
        from digitizer.pipeline import Digitizer

        # Everything but the cell reading is the project's (straightening, orientation, grids,
        # mapping, checks; the front matter is still read by the project's recogniser). The
        # re-reading of suspect cells is off: it would read with the project's own cell reader.
        reader = FullPageCellReader(settings.with_(reread=False))
        digitizer = Digitizer(settings.with_(reread=False), cell_reader=reader)
        reader.ocr  # noqa: B018  load the models now
        digitizer.engine  # noqa: B018
    elif variant == "project":
        from digitizer.pipeline import Digitizer

        digitizer = Digitizer(settings)
        digitizer.engine  # noqa: B018
    else:
        raise ValueError(f"unknown variant {variant!r}; choose one of {', '.join(VARIANTS)}")
    return digitizer


def _warm_up(digitizer, source: DocumentSource) -> None:
    """Read one document untimed so that first-call costs (ONNX Runtime arenas, lazy imports) are not timed."""
    digitizer.run(source)


def run_variant(
    variant: str,
    scans_dir: str,
    documents: list[str],
    repeats: int = 1,
    settings: Settings | None = None,
    warmup: bool = True,
) -> dict:
    """One variant over the named documents, `repeats` times; scores the last run."""
    settings = settings or Settings()
    by_name = {s.document: s for s in load.discover([Path(scans_dir)])}
    sources = [by_name[name] for name in documents]
    started = time.perf_counter()
    digitizer = _make(variant, settings)
    load_seconds = time.perf_counter() - started
    rss_loaded = _current_rss_mb()
    if warmup and sources:
        _warm_up(digitizer, sources[0])
    runs: list[dict[str, Any]] = []
    reports: list[Report] = []
    for _ in range(max(1, repeats)):
        reports = []
        load_before = _load_average()
        cpu = _cpu_seconds()
        started = time.perf_counter()
        for source in sources:
            reports.append(digitizer.run(source))
        seconds = time.perf_counter() - started
        cpu = _cpu_seconds() - cpu
        pages = sum(r.pages for r in reports)
        runs.append(
            {
                "pages": pages,
                "seconds": seconds,
                "cpu_seconds": cpu,
                "pages_per_second": pages / seconds if seconds else 0.0,
                "load_average_before": load_before,
                "load_average_after": _load_average(),
            }
        )
    scores = [score(_truth(Path(scans_dir), r.document), r) for r in reports]
    summary = EvalResult(scores, runs[-1]["seconds"]).summary()
    return {
        "variant": variant,
        "engine": digitizer.cell_reader.ocr.describe() if variant == "baseline" else (reports[0].engine if reports else ""),
        "documents": len(sources),
        "pages": runs[-1]["pages"],
        "pages_per_second": statistics.median(r["pages_per_second"] for r in runs),
        "seconds_per_page": statistics.median(r["seconds"] / r["pages"] for r in runs) if runs[-1]["pages"] else 0.0,
        "cpu_seconds_per_page": statistics.median(r["cpu_seconds"] / r["pages"] for r in runs)
        if runs[-1]["pages"]
        else 0.0,
        "runs": runs,
        "load_seconds": load_seconds,
        "accuracy": summary["accuracy"],
        "cells": summary["cells"],
        "cells_right": sum(s.right for s in scores),
        "documents_all_right": summary["all_right"],
        "relation_precision": summary["precision"],
        "relation_recall": summary["recall"],
        "per_document": {s.document: {"cells": s.cells, "right": s.right, "pages": s.pages} for s in scores},
        "status": {r.document: r.status for r in reports},
        "rss_after_load_mb": rss_loaded,
        "peak_rss_mb": _peak_rss_mb(),
    }


def run_scaling(
    scans_dir: str, documents: list[str], n_pages: int, settings: Settings | None = None, warmup: bool = True
) -> dict:
    """The project pipeline over n_pages pages, cycling over the documents; reports are dropped."""
    from digitizer.pipeline import Digitizer

    settings = settings or Settings()
    by_name = {s.document: s for s in load.discover([Path(scans_dir)])}
    sources = [by_name[name] for name in documents]
    digitizer = Digitizer(settings)
    digitizer.engine  # noqa: B018
    if warmup:
        _warm_up(digitizer, sources[0])
    rss_warm = _current_rss_mb()
    pages = right = cells = 0
    rss_samples = []
    load_before = _load_average()
    cpu = _cpu_seconds()
    started = time.perf_counter()
    for source in itertools.cycle(sources):
        if pages >= n_pages:
            break
        report = digitizer.run(source)
        pages += report.pages
        doc = score(_truth(Path(scans_dir), source.document), report)
        right, cells = right + doc.right, cells + doc.cells
        rss_samples.append(round(_current_rss_mb(), 1))
        del report
    seconds = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu
    return {
        "requested_pages": n_pages,
        "pages": pages,
        "seconds": seconds,
        "pages_per_second": pages / seconds if seconds else 0.0,
        "cpu_seconds_per_page": cpu / pages if pages else 0.0,
        "load_average_before": load_before,
        "load_average_after": _load_average(),
        "accuracy": right / cells if cells else 0.0,
        "rss_after_warmup_mb": rss_warm,
        "rss_after_each_document_mb": rss_samples,
        "rss_end_mb": _current_rss_mb(),
        "peak_rss_mb": _peak_rss_mb(),
    }


def _isolated(function, *args, **kwargs) -> dict:
    """Run in a freshly spawned process (its own ru_maxrss), or here when isolation is off."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(function, *args, **kwargs).result()


# ---------------------------------------------------------------------------------------------
# The benchmark


def run_bench(
    scans_dir: str | Path,
    pages_limit: int | None = None,
    repeats: int = 1,
    *,
    docs: int | None = None,
    batch_sizes: tuple[int, ...] = (),
    settings: Settings | None = None,
    variants: tuple[str, ...] = VARIANTS,
    isolate: bool = True,
    warmup: bool = True,
) -> dict:
    """Benchmark the variants on the same documents; returns a JSON-ready dict.

    isolate=True runs each variant (and each batch size) in its own spawned process so that each
    peak RSS is its own; isolate=False runs everything here (the peaks are then cumulative).
    """
    settings = settings or Settings()
    scans_dir = Path(scans_dir)
    chosen = select_documents(scans_dir, docs=docs, pages_limit=pages_limit)
    if not chosen:
        raise ValueError(f"no documents with ground truth in {scans_dir} (expected {scans_dir / 'truth'}/*.json)")
    names = [s.document for s, _ in chosen]
    call = _isolated if isolate else (lambda f, *a, **k: f(*a, **k))
    results: dict[str, dict] = {}
    for variant in variants:
        results[variant] = call(run_variant, variant, str(scans_dir), names, repeats, settings, warmup)
    out: dict = {
        "scans": str(scans_dir),
        "documents": names,
        "pages": sum(p for _, p in chosen),
        "repeats": repeats,
        "isolated_processes": isolate,
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(settings).items()},
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "processor": platform.processor() or platform.machine(),
            "load_average_at_start": _load_average(),
        },
        "variants": results,
    }
    if "baseline" in results and "project" in results and results["baseline"]["pages_per_second"]:
        out["speedup_project_over_baseline"] = (
            results["project"]["pages_per_second"] / results["baseline"]["pages_per_second"]
        )
    if batch_sizes:
        out["scaling"] = [call(run_scaling, str(scans_dir), names, n, settings, warmup) for n in batch_sizes]
    return out


def render(result: dict) -> str:
    """The benchmark's result as the text the command prints."""
    lines = [
        f"documents: {len(result['documents'])} ({result['pages']} pages): {', '.join(result['documents'])}",
        (
            f"machine: {result['machine']['cpus']} CPUs, cpu_threads={result['settings']['cpu_threads']}, "
            f"device={result['settings']['device']}, repeats={result['repeats']}, "
            f"{'one spawned process per variant' if result['isolated_processes'] else 'one process'}"
        ),
        "",
        (
            f"{'variant':<10}{'pages/s':>9}{'s/page':>8}{'CPU s/pg':>9}{'accuracy':>10}{'cells right':>14}"
            f"{'docs right':>11}{'load s':>8}{'RSS loaded':>12}{'peak RSS':>10}"
        ),
    ]
    for name, v in result["variants"].items():
        lines.append(
            f"{name:<10}{v['pages_per_second']:>9.3f}{v['seconds_per_page']:>8.2f}{v['cpu_seconds_per_page']:>9.2f}"
            f"{v['accuracy'] * 100:>9.2f}%"
            f"{v['cells_right']:>8}/{v['cells']:<5}{v['documents_all_right']:>6}/{v['documents']:<4}"
            f"{v['load_seconds']:>8.1f}{v['rss_after_load_mb']:>9.0f} MB{v['peak_rss_mb']:>7.0f} MB"
        )
    if "speedup_project_over_baseline" in result:
        lines.append(f"\nspeed-up project / baseline: {result['speedup_project_over_baseline']:.2f}x pages/s")
    if result.get("scaling"):
        lines += [
            "",
            "project pipeline, batch scaling (fresh process per batch):",
            f"{'pages':>7}{'seconds':>9}{'pages/s':>9}{'CPU s/pg':>9}{'accuracy':>10}{'RSS warm':>12}{'RSS end':>10}{'peak RSS':>10}",
        ]
        for s in result["scaling"]:
            lines.append(
                f"{s['pages']:>7}{s['seconds']:>9.1f}{s['pages_per_second']:>9.3f}{s['cpu_seconds_per_page']:>9.2f}"
                f"{s['accuracy'] * 100:>9.2f}%"
                f"{s['rss_after_warmup_mb']:>9.0f} MB{s['rss_end_mb']:>7.0f} MB{s['peak_rss_mb']:>7.0f} MB"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """The `python -m digitizer_tools.bench` command; returns its exit status."""
    parser = argparse.ArgumentParser(prog="python -m digitizer_tools.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("scans", type=Path, help="folder of scans with truth/<document>.json")
    parser.add_argument("--docs", type=int, default=None, help="use at most this many documents (in name order)")
    parser.add_argument("--pages", type=int, default=None, help="use whole documents up to this many pages")
    parser.add_argument("--repeats", type=int, default=1, help="timed runs per variant (median pages/s)")
    parser.add_argument("--batch-sizes", default="", help="e.g. 10,200: project pages/s and RSS over N pages")
    parser.add_argument("--variants", default=",".join(VARIANTS), help="baseline,project (default both)")
    parser.add_argument("--threads", type=int, default=None, help="ONNX Runtime CPU threads (default: settings)")
    parser.add_argument("--device", choices=["cpu", "cuda"], default=None)
    parser.add_argument("--engine", choices=sorted(ENGINES), default=None,
                        help="recognizer engine of the project pipeline (cuda: onnxruntime with onnxruntime-gpu, or paddle with paddlepaddle-gpu)")
    parser.add_argument("--no-warmup", action="store_true", help="time the first page too")
    parser.add_argument("--same-process", action="store_true", help="no spawned processes (peak RSS cumulative)")
    parser.add_argument("--out", type=Path, default=Path("out/bench.json"))
    args = parser.parse_args(argv)

    settings = Settings()
    if args.threads:
        settings = settings.with_(cpu_threads=args.threads)
    if args.device:
        settings = settings.with_(device=args.device)
    if args.engine:
        settings = settings.with_(engine=args.engine)
    sizes = tuple(int(n) for n in args.batch_sizes.split(",") if n.strip())
    variants = tuple(v.strip() for v in args.variants.split(",") if v.strip())
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        parser.error(f"unknown variant(s) {', '.join(unknown)}; choose from {', '.join(VARIANTS)}")
    result = run_bench(
        args.scans,
        args.pages,
        args.repeats,
        docs=args.docs,
        batch_sizes=sizes,
        settings=settings,
        variants=variants,
        isolate=not args.same_process,
        warmup=not args.no_warmup,
    )
    print(render(result))
    runs = [r for v in result["variants"].values() for r in v["runs"]]
    busiest = max((max(r["load_average_before"] or [0]) for r in runs), default=0)
    if busiest > (os.cpu_count() or 1):
        print(
            f"\nnote: load average reached {busiest:.1f} on {os.cpu_count()} CPUs: other work shared the CPU; pages/s is noisy"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nwritten {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
