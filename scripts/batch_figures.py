"""Batch figures for the closing notes: documents per minute with N workers and peak memory per
worker process. Usage: python scripts/batch_figures.py SCANS WORKERS [DOCS]"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

from digitizer.batch import run_batch
from digitizer.load import discover
from digitizer.settings import Settings


def main() -> None:
    scans, workers = Path(sys.argv[1]), int(sys.argv[2])
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else None
    sources = discover([scans])[:limit]
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        summary = run_batch(sources, Path(out), Settings(workers=workers), xlsx=False, force=True)
        seconds = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    per_worker = own if workers <= 1 else children
    print(f"workers={workers} documents={summary.documents} pages={summary.pages} seconds={seconds:.1f} "
          f"documents/min={summary.documents / seconds * 60:.2f} pages/s={summary.pages / seconds:.3f} "
          f"peak RSS per worker={per_worker:.0f} MB (driver {own:.0f} MB)")


if __name__ == "__main__":
    main()
