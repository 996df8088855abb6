"""Review pages built from a real run of the yueqing-2020 sample, opened in headless Chromium; and the
page overlay marking failing cells red."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from digitizer.review import overlay_page, write_review

from .conftest import ROOT, source

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
DOCUMENT = "yueqing-2020"


@pytest.fixture(scope="session")
def yueqing():
    from digitizer.pipeline import Digitizer
    from digitizer.settings import Settings

    src = source(DOCUMENT)
    return Digitizer(Settings(workers=1)).run(src).to_json(), src


@pytest.fixture(scope="session")
def review(yueqing, tmp_path_factory):
    out = tmp_path_factory.mktemp("review_out")
    return write_review(out, [yueqing])


def _chromium(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    if not CHROMIUM.exists():
        pytest.skip("headless check needs /usr/bin/chromium (apt-get install -y chromium; CI installs it)")
    command = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={tmp_path / 'chromium-profile'}", *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def test_review_files(review, yueqing):
    root = review.parent
    assert review.name == "index.html" and (root / f"{DOCUMENT}.html").exists()
    overlays = sorted(root.glob(f"img/{DOCUMENT}_p*.jpg"))
    assert len(overlays) == yueqing[0]["pages"] == 3
    page = (root / f"{DOCUMENT}.html").read_text(encoding="utf-8")
    for link in ("http://", "https://", "src=\"/", "href=\"/"):
        assert link not in page, f"review page must work offline with relative links, found {link}"
    # every image the page refers to exists beside it
    for ref in re.findall(r'(?:src|href)="([^"#]+)"', page):
        assert (root / ref).exists(), ref


def test_index_in_chromium(review, tmp_path):
    dom = _chromium(["--dump-dom", review.as_uri()], tmp_path).stdout
    assert DOCUMENT in dom
    assert f'href="{DOCUMENT}.html"' in dom
    assert "2 / 40" in dom  # two failing relations of forty


def test_document_page_in_chromium(review, tmp_path):
    page = review.parent / f"{DOCUMENT}.html"
    dom = _chromium(["--dump-dom", page.as_uri()], tmp_path).stdout
    assert DOCUMENT in dom
    chunk = next(part for part in dom.split('<p class="rel">')[1:] if "natural_person" in part)
    relation = re.sub(r"<[^>]+>", "", chunk.split("</p>")[0])  # the sentence as a person reads it
    assert "applications.results_sum" in relation
    assert "（七）总计 101 ≠" in relation and "= 102" in relation
    assert "≠ 70 + 15 + 3 + 1 + 10 + 3 = 102" in relation
    assert '<td class="fail"' in dom and dom.count('class="fail"') >= 40  # both failing columns marked red
    assert '<td class="fail" title="read \'101\'' in dom
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"review-{DOCUMENT}.png"
    shot.unlink(missing_ok=True)
    _chromium([f"--screenshot={shot}", "--window-size=1280,2000", page.as_uri()], tmp_path)
    assert shot.exists() and shot.stat().st_size > 20_000
    shutil.copy(review.parent / f"img/{DOCUMENT}_p2.jpg", ARTIFACTS / f"review-{DOCUMENT}_p2-overlay.jpg")


def test_overlay_marks_failing_cells_red(yueqing):
    doc, src = yueqing
    from digitizer.load import load_pages
    from digitizer.settings import Settings

    failing = {tuple(ref) for c in doc["checks"] if c["status"] == "fail" for ref in c["cells"]}
    cells = [dict(c, table=t) for t, tab in doc["tables"].items() for c in tab["cells"]]
    target = next(c for c in cells if (c["table"], c["row"], c["col"]) == ("applications", "r7_total", "natural_person"))
    normal = next(c for c in cells if c["page"] == target["page"] and (c["table"], c["row"], c["col"]) not in failing)
    page = load_pages(src, Settings())[target["page"] - 1]
    image = overlay_page(page.image, [c for c in cells if c["page"] == page.number], failing, set())
    assert image.shape[:2] == page.image.shape[:2] and image.ndim == 3

    def mean_bgr(cell):
        x0, y0, x1, y1 = cell["bbox"]
        h, w = y1 - y0, x1 - x0  # the middle of the cell, away from its outline and its value label
        return image[y0 + h // 3 : y1 - h // 4, x0 + w // 2 : x1 - w // 8].reshape(-1, 3).mean(axis=0)

    b, g, r = mean_bgr(target)
    assert r > 150 and r - b > 60 and r - g > 60, (b, g, r)
    b, g, r = mean_bgr(normal)
    assert abs(r - b) < 30 and abs(r - g) < 30, (b, g, r)


def test_overlay_corrected_amber_and_unread_hatched():
    image = np.full((200, 300), 255, np.uint8)
    cells = [
        {"table": "t", "row": "a", "col": "x", "value": 5, "page": 1, "bbox": [10, 10, 140, 190]},
        {"table": "t", "row": "b", "col": "x", "value": None, "page": 1, "bbox": [160, 10, 290, 190]},
    ]
    grid = [{"bbox": [5, 5, 295, 195]}]
    out = overlay_page(image, cells, set(), {("t", "a", "x")}, grid)
    b, g, r = out[100:180, 60:130].reshape(-1, 3).mean(axis=0)
    assert r > 200 and g > 150 and b < 200 and r - b > 80  # amber
    hatch = out[60:180, 180:280]
    assert (hatch.min(axis=2) < 200).mean() > 0.015  # diagonal lines drawn over the unread cell
    assert tuple(out[100, 5]) == (200, 110, 0)  # grid outline in blue (BGR)


def test_index_order_failed_document_and_corrected_cell(yueqing, tmp_path):
    doc, src = yueqing
    fixed = dict(doc, document="fixed-copy", checks=[c for c in doc["checks"] if c["status"] != "fail"])
    cells = [dict(c) for c in fixed["tables"]["applications"]["cells"]]
    cells[0].update(read_as="1O1", corrected_by="digits-only reading")
    cells[1].update(value=None)
    fixed["tables"] = dict(fixed["tables"], applications={"cells": cells})
    broken = {"document": "broken <scan>", "source": ["broken.pdf"], "status": "failed", "layout": None,
              "tables": {}, "checks": [], "errors": ["corrupt or unreadable PDF"]}
    index = write_review(tmp_path, [(fixed, src), (doc, src), (broken, None)])
    text = index.read_text(encoding="utf-8")
    positions = [text.index(name) for name in ("broken &lt;scan&gt;", DOCUMENT, "fixed-copy")]
    assert positions == sorted(positions)  # failed first, then by failing relations
    assert "<scan>" not in text
    page = (tmp_path / "review" / "fixed-copy.html").read_text(encoding="utf-8")
    assert 'class="corr"' in page and "read as “1O1”" in page and 'class="unread"' in page
    href = re.search(r'href="([^"]+)">broken &lt;scan&gt;', text).group(1)
    assert "corrupt or unreadable PDF" in (tmp_path / "review" / href).read_text(encoding="utf-8")


def test_index_counts_warnings_and_pages_show_amounts_as_read(yueqing, tmp_path):
    """A prose or history warning is counted in the index (it was invisible there), and an amount
    is shown with every digit it has (1792.0873 was shown 1792.09)."""
    doc, src = yueqing
    warned = dict(doc, document="warned", checks=[*doc["checks"], {
        "rule": "prose.new_received", "key": "total", "status": "warn", "expected": 3, "actual": 4,
        "cells": [["applications", "new_received", "total"]]}])
    active = [dict(c) for c in doc["tables"]["active"]["cells"]]
    fee = next(c for c in active if c["col"] == "amount_10k_yuan")
    fee.update(value=1792.0873, text="1792.0873")
    warned["tables"] = dict(doc["tables"], active={"cells": active})
    index = write_review(tmp_path, [(warned, src)]).read_text(encoding="utf-8")
    head = re.findall(r"<th>([^<]+)</th>", index)
    row = re.search(r">warned</a></th>(.*?)</tr>", index).group(1)
    assert re.findall(r"<td[^>]*>([^<]*)</td>", row)[head.index("Warnings") - 1] == "1"
    page = (tmp_path / "review" / "warned.html").read_text(encoding="utf-8")
    assert "1792.0873" in page and "1792.09<" not in page
