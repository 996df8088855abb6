"""Mutation fuzzing of the loader: N mutated copies of small valid files of every format; counts
what each load ended in. Only LoadError (a plain reason) or pages may come out.

    PYTHONPATH=. python scripts/fuzz_loader.py 4400 [seed]
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from digitizer.errors import LoadError
from digitizer.load import load_pages
from digitizer.settings import Settings
from digitizer.types import DocumentSource
from tests.badfiles import mutate, seed_files


def main(count: int, seed: int = 0) -> int:
    rng = random.Random(seed)
    seeds = sorted(seed_files().items())
    outcomes: Counter[str] = Counter()
    escaped: list[str] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(count):
            name, data = seeds[i % len(seeds)]
            path = Path(tmp) / f"m{i}{Path(name).suffix}"
            path.write_bytes(mutate(data, rng))
            try:
                load_pages(DocumentSource(path.stem, (path,)), Settings())
                outcomes["pages"] += 1
            except LoadError:
                outcomes["LoadError"] += 1
            except Exception as err:  # noqa: BLE001 - what this script counts
                outcomes[type(err).__name__] += 1
                escaped.append(f"{name} #{i}: {type(err).__name__}: {err}")
            path.unlink()
    print(f"{count} mutated files ({len(seeds)} seeds, rng seed {seed}) in {time.perf_counter() - started:.0f} s: "
          + ", ".join(f"{k} {v}" for k, v in outcomes.most_common()))
    for line in escaped[:40]:
        print("  escaped:", line)
    return 1 if escaped else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 4400, int(sys.argv[2]) if len(sys.argv) > 2 else 0))
