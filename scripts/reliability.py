"""Batch reliability figures: a folder of good reports, every bad input of issue 13 and N mutated
files (every format), read by `digitize` as a user would, then read again (resume). Counts the
inputs tried, documents lost (discovered but with no JSON, no archive row or no summary entry),
documents counted twice, and batches aborted (an exit code other than 0/1, or no summary).

    PYTHONPATH=. python scripts/reliability.py [mutants] [workers]
"""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from PIL import Image

from digitizer.archive import Archive
from digitizer.load import discover
from tests.badfiles import damaged_tiff, mutate, pdf_bytes, seed_files
from tests.conftest import SCANS, ruled_table


def build(root: Path, mutants: int) -> None:
    for folder, seed in (("p/same", 1), ("q/same", 2)):  # same-named reports in two folders
        (root / folder).mkdir(parents=True)
        ruled_table(root / folder / "rep.png", seed=seed)
    for i, name in enumerate(("x y.png", "x_y.png", "good0.png", "good1.png")):
        ruled_table(root / name, seed=10 + i)
    for name in ("r05-2021-pdf-blank.pdf", "r02-2019-jpg-zero_p1.jpg", "r02-2019-jpg-zero_p2.jpg", "r02-2019-jpg-zero_p3.jpg"):
        (root / name).write_bytes((SCANS / name).read_bytes())
    Image.new("L", (20000, 10), 255).save(root / "strip.png")
    (root / "thin.pdf").write_bytes(pdf_bytes([(1, 20000)]))
    (root / "count3.pdf").write_bytes(pdf_bytes([(595, 842)], count=3))
    tiff = io.BytesIO()
    Image.new("L", (300, 200), 200).save(tiff, "TIFF", save_all=True, append_images=[Image.new("L", (300, 200))])
    (root / "damaged.tif").write_bytes(damaged_tiff(tiff.getvalue()))
    (root / "a-locked.pdf").write_bytes(pdf_bytes([(595, 842)], encrypted=True))
    (root / "b-no-pages.pdf").write_bytes(pdf_bytes([]))
    (root / "zero.jpg").write_bytes(b"")
    (root / "text.jpg").write_text("not a scan")
    (root / "loop").symlink_to(".")
    (root / "again.png").symlink_to(root / "good0.png")
    rng = random.Random(13)
    seeds = sorted(seed_files().items())
    (root / "mutants").mkdir()
    for i in range(mutants):
        name, data = seeds[i % len(seeds)]
        (root / "mutants" / f"m{i:04d}{Path(name).suffix}").write_bytes(mutate(data, rng))


def run(root: Path, out: Path, workers: int) -> tuple[int, str]:
    command = [sys.executable, "-m", "digitizer.cli", str(root), "--out", str(out), "--workers", str(workers),
               "--no-xlsx", "--no-review", "--quiet"]
    done = subprocess.run(command, capture_output=True, text=True)
    return done.returncode, done.stderr


def figures(root: Path, out: Path, code: int) -> dict:
    documents = [d.document for d in discover([root])]
    summary_path = out / "summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else None
    with Archive(out / "archive.sqlite") as archive:
        archived = Counter(r["document"] for r in archive.dump()["documents"])
    lost = [d for d in documents if not (out / f"{d}.json").exists() or d not in archived]
    return {"documents": len(documents), "exit": code, "summary_documents": summary and summary["documents"],
            "failed": summary and len(summary["failed"]), "skipped": summary and summary["skipped"],
            "lost": len(lost), "counted_twice": sum(n > 1 for n in archived.values()),
            "aborted": int(code not in (0, 1) or summary is None or summary["documents"] != len(documents))}


def main(mutants: int = 300, workers: int = 2) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        root, out = Path(tmp) / "in", Path(tmp) / "out"
        build(root, mutants)
        files = sum(1 for p in root.rglob("*") if p.is_file() and not p.is_symlink() and "loop" not in p.parts)
        rows = []
        for attempt in ("first run", "rerun (resume)"):
            code, stderr = run(root, out, workers)
            rows.append((attempt, figures(root, out, code)))
            if "Traceback" in stderr:
                print(stderr)
        print(f"inputs: {files} files ({mutants} mutated), 2 symlinks (a loop and a second name of one file)")
        for attempt, row in rows:
            print(f"{attempt:15} " + "  ".join(f"{k} {v}" for k, v in row.items()))
        bad = any(row["lost"] or row["counted_twice"] or row["aborted"] for _, row in rows)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(*(int(a) for a in sys.argv[1:3])))
