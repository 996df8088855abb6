"""Review pages: static HTML and page overlays so a person can check a digitized document quickly.

`write_review(out_dir, [(report_json, source), ...])` writes out_dir/review/index.html (documents
sorted by trouble), one page per document (failing relations spelled out with the printed labels,
every table rebuilt with failing / corrected / unread cells marked, crops of the suspect cells) and
overlay images of every page. Plain files with relative links: they open offline from file://.
Every file is written to a temporary name and renamed into place (export.atomic_path).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from contextlib import suppress
from fnmatch import fnmatchcase
from pathlib import Path
from urllib.parse import quote

import cv2
import numpy as np

from .errors import LoadError
from .export import atomic_path
from .load import load_pages
from .settings import Settings
from .types import CheckStatus, DocumentSource, ReportStatus

RED, AMBER, BLUE, GREEN, GREY = (40, 40, 220), (0, 170, 255), (200, 110, 0), (60, 150, 60), (110, 110, 110)  # BGR
OVERLAY_WIDTH = 1200
STATUS_RANK = {ReportStatus.FAILED.value: 0, ReportStatus.PARTIAL.value: 1}  # by the JSON's status text
CSS = """body{font:14px/1.45 "Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;margin:20px;color:#222}
table{border-collapse:collapse;margin:6px 0 14px}th,td{border:1px solid #bbb;padding:2px 6px}
th{background:#f2f2f2;font-weight:normal;text-align:left}td{text-align:right;min-width:2.5em}
td.fail{background:#f6b3b3;color:#900;font-weight:bold}td.corr{background:#ffe08a}
td.unread{color:#666;background:repeating-linear-gradient(45deg,#ddd 0 4px,#f7f7f7 4px 8px)}
td.none{background:#fafafa}tr.group th{background:#e6e6e6;font-weight:bold}small{color:#555}
.rel{background:#fdecec;border-left:4px solid #c33;padding:4px 8px;margin:4px 0}.warn{background:#fff6dd;border-color:#d90}
.pair{display:flex;gap:18px;align-items:flex-start}.crops{display:flex;flex-wrap:wrap;gap:6px;width:290px;flex:none}
figure{margin:0;font-size:11px;width:140px}figure img{display:block;border:1px solid #c33;max-width:138px}
details,.crops b{width:100%}summary{cursor:pointer;font-size:12px}
.pages{display:flex;flex-wrap:wrap;gap:10px}.pages img{width:260px;border:1px solid #999}
.s-failed{color:#b00;font-weight:bold}.s-partial{color:#b60}.s-ok{color:#070}.legend span{padding:0 6px;margin-right:6px}"""
LEGEND = ('<p class="legend"><span style="background:#f6b3b3">failing relation</span><span style="background:#ffe08a">'
          'corrected by the digitizer</span><span style="background:#ddd">unread (no value)</span><span style="border:1px '
          'solid #06c">detected grid (overlay, blue)</span></p>')


def _write_image(target: Path, image: np.ndarray, params: list[int] | None = None) -> None:
    ok, data = cv2.imencode(target.suffix, image, params or [])
    if not ok:
        raise OSError(f"cannot encode {target.name}")
    with atomic_path(target) as tmp:
        tmp.write_bytes(data.tobytes())


def _write_text(target: Path, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def _e(value) -> str:
    return html.escape("" if value is None else str(value))


def _slug(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s\x00-\x1f]+', "_", str(text)).lstrip(".") or "_"


def _unique_slugs(names: list[str]) -> list[str]:
    """File names for the documents' pages: their slugs, numbered where two documents' ids differ
    only in characters a file name cannot keep (`x y` and `x_y` both slug to `x_y`)."""
    slugs, used = [], set()
    for name in names:
        slug, n = _slug(name), 1
        while slug.lower() in used:
            n += 1
            slug = f"{_slug(name)}~{n}"
        used.add(slug.lower())
        slugs.append(slug)
    return slugs


def _fmt(value) -> str:
    return "?" if value is None else (f"{value:.12g}" if isinstance(value, float) else str(value))


def _key(table: str, cell: dict) -> tuple[str, str, str]:
    return (table, str(cell.get("row")), str(cell.get("col")))


def _ref(ref: list) -> tuple[str, str, str]:
    """A check's cell reference, (table, row, col), as a cell key."""
    table, row, col = ref
    return (str(table), str(row), str(col))


def _is_corrected(cell: dict) -> bool:
    return bool(cell.get("corrected_by")) or (cell.get("read_as") is not None and cell.get("read_as") != cell.get("text"))


def overlay_page(image: np.ndarray, cells, failing_cells=(), corrected_cells=(), grid_cells=()) -> np.ndarray:
    """The page (BGR) with mapped cells drawn. `cells` are contract cell dicts carrying a "table" key;
    `failing_cells`/`corrected_cells` hold (table, row, col) keys; `grid_cells` are generic grid cells."""
    out = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR) if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
    failing, corrected = {tuple(k) for k in failing_cells}, {tuple(k) for k in corrected_cells}
    thin = max(1, out.shape[1] // 1400)
    for cell in grid_cells:
        x0, y0, x1, y1 = map(int, cell["bbox"])
        cv2.rectangle(out, (x0, y0), (x1 - 1, y1 - 1), BLUE, thin)
    fill = out.copy()
    for cell in cells:
        key, (x0, y0, x1, y1) = _key(cell.get("table", ""), cell), map(int, cell["bbox"])
        colour = RED if key in failing else AMBER if key in corrected else None
        if colour is not None:
            cv2.rectangle(fill, (x0, y0), (x1 - 1, y1 - 1), colour, -1)
    out = cv2.addWeighted(fill, 0.38, out, 0.62, 0)
    scale = max(0.35, out.shape[1] / 3000)
    for cell in cells:
        key, (x0, y0, x1, y1) = _key(cell.get("table", ""), cell), map(int, cell["bbox"])
        colour = RED if key in failing else AMBER if key in corrected else GREEN
        if cell.get("value") is None:  # unread: diagonal hatching, clipped to the cell
            roi, step = out[max(y0, 0):y1, max(x0, 0):x1], max(6, (y1 - y0) // 5)
            for offset in range(-roi.shape[0], roi.shape[1], step):
                cv2.line(roi, (offset, roi.shape[0]), (offset + roi.shape[0], 0), GREY, thin)
        cv2.rectangle(out, (x0, y0), (x1 - 1, y1 - 1), colour, 2 * thin if key in failing else thin)
        label = _fmt(cell.get("value"))
        (tw, th), base = cv2.getTextSize(label, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
        cv2.rectangle(out, (x0 + 2, y0 + 2), (x0 + 4 + tw, y0 + 4 + th + base), (255, 255, 255), -1)
        cv2.putText(out, label, (x0 + 3, y0 + 3 + th), cv2.FONT_HERSHEY_SIMPLEX, scale, colour, 1, cv2.LINE_AA)
    return out


def _layout(name):
    from .layouts import get_layout

    try:
        return get_layout(name) if name else None
    except KeyError:
        return None


def _expand(patterns, keys):
    return [k for k in keys if any(fnmatchcase(k, p) for p in patterns)]


def _relation_html(check: dict, layout, values: dict, labels: dict) -> str:
    """'rule (key · label): lhs-label 101 ≠ 70 + 15 + … = 102', numbers as the cells were read."""
    rule, key = str(check.get("rule")), str(check.get("key"))
    rel = next((r for r in layout.relations if r.id == rule), None) if layout else None
    head = f"<b>{_e(rule)}</b> ({_e(key)}{' · ' + _e(labels.get(key)) if labels.get(key) else ''}): "
    if rel is None:
        return head + f"expected {_e(_fmt(check.get('expected')))} ≠ {_e(_fmt(check.get('actual')))}"
    spec = layout.tables[rel.table]
    along = [e.key for e in (spec.row_entries() if rel.per == "col" else spec.col_entries())]
    coord = (lambda n: (rel.table, n, key)) if rel.per == "col" else (lambda n: (rel.table, key, n))
    lhs = [n for n in _expand(rel.lhs, along) if coord(n) in values]
    rhs = [n for n in _expand(rel.rhs, along) if coord(n) in values]
    left = " + ".join(f"{_e(labels.get(n, n))} {_e(_fmt(values[coord(n)]))}" for n in lhs)
    if len(lhs) > 1:
        left += f" = {_e(_fmt(check.get('expected')))}"
    if len(rhs) <= 3:
        terms = [f"{_e(labels.get(n, n))} {_e(_fmt(values[coord(n)]))}" for n in rhs]
    else:  # long sums: the non-zero terms only, the label in a tooltip
        terms = [f'<span title="{_e(labels.get(n, n))}">{_e(_fmt(values[coord(n)]))}</span>'
                 for n in rhs if values[coord(n)] not in (0, None)] or ["0"]
    diff = ""
    if isinstance(check.get("expected"), int | float) and isinstance(check.get("actual"), int | float):
        diff = f" <small>(off by {_fmt(check['actual'] - check['expected'])})</small>"
    return head + f"{left} ≠ {' + '.join(terms)} = {_e(_fmt(check.get('actual')))}{diff}"


def _table_html(title: str, spec, cells: dict, failing: set, corrected: set) -> str:
    blocks = spec.blocks if spec is not None else []
    if spec is None:  # unknown layout: rows and columns in reading order, keys as labels
        from .layouts import AxisEntry, Block

        rows = [AxisEntry(r, r) for r in dict.fromkeys(k[1] for k in cells)]
        blocks = [Block(None, tuple(rows), tuple(AxisEntry(c, c) for c in dict.fromkeys(k[2] for k in cells)))]
    parts = [f"<h3>{_e(title)}</h3>"]
    for block in blocks:
        parts.append("<table>" + (f"<caption>{_e(block.caption)}</caption>" if block.caption else "") + "<thead><tr>")
        two = any(c.parent for c in block.cols)
        parts.append(f'<th rowspan="{2 if two else 1}"></th>')
        i = 0
        while i < len(block.cols):
            parent = block.cols[i].parent
            n = 1
            while parent and i + n < len(block.cols) and block.cols[i + n].parent == parent:
                n += 1
            parts.append(f'<th colspan="{n}">{_e(parent)}</th>' if parent else
                         f'<th rowspan="{2 if two else 1}">{_e(block.cols[i].label)}</th>')
            i += n
        parts.append("</tr>" + ("<tr>" + "".join(f"<th>{_e(c.label)}</th>" for c in block.cols if c.parent) + "</tr>"
                                if two else "") + "</thead><tbody>")
        groups: set[str] = set()
        for row in block.rows:
            if row.parent and row.parent not in groups:
                parts.append(f'<tr class="group"><th colspan="{len(block.cols) + 1}">{_e(row.parent)}</th></tr>')
                groups.add(row.parent)
            parts.append(f"<tr><th>{_e(row.label)}</th>")
            for col in block.cols:
                key = (spec.key if spec else title, row.key, col.key)
                cell = cells.get(key)
                if cell is None:
                    parts.append('<td class="none"></td>')
                    continue
                css = "fail" if key in failing else "corr" if key in corrected else ""
                css += " unread" if cell.get("value") is None else ""
                tip = f"read {cell.get('text')!r}, confidence {cell.get('confidence')}, page {cell.get('page')}"
                extra = ""
                if _is_corrected(cell):
                    extra = f'<br><small>read as “{_e(cell.get("read_as"))}” {_e(cell.get("corrected_by") or "")}</small>'
                parts.append(f'<td class="{css.strip()}" title="{_e(tip)}">{_e(_fmt(cell.get("value")))}{extra}</td>')
            parts.append("</tr>")
        parts.append("</tbody></table>")
    return "".join(parts)


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>{_e(title)}</title>'
            f"<style>{CSS}</style></head><body>{body}</body></html>")


def _write_document(root: Path, doc: dict, source: DocumentSource | None, slug: str) -> dict:
    name = str(doc.get("document"))
    layout = _layout(doc.get("layout"))
    tables = doc.get("tables") or {}
    cells = {_key(t, c): dict(c, table=t) for t, tab in tables.items() for c in (tab or {}).get("cells", [])}
    checks = doc.get("checks") or []
    failing_checks = [c for c in checks if c.get("status") == CheckStatus.FAIL]
    failing = {_ref(ref) for c in failing_checks for ref in c.get("cells", [])}
    corrected = {k for k, c in cells.items() if _is_corrected(c)}
    unread = [k for k, c in cells.items() if c.get("value") is None]
    notes, overlays, crops = [], [], {}
    try:
        pages = load_pages(source, Settings()) if source is not None else []
    except (LoadError, OSError, ValueError) as err:  # the review never fails on a page it cannot load
        pages, notes = [], [f"page images not available: {err}"]
    grids = [c for g in doc.get("grids") or [] for c in g.get("cells", [])]
    for page in pages:
        h, w = page.image.shape[:2]
        s = min(1.0, OVERLAY_WIDTH / w)
        small = cv2.resize(page.image, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA)

        def scaled(items, n=page.number, s=s):
            return [dict(c, bbox=[round(v * s) for v in c["bbox"]]) for c in items if c.get("page") == n and c.get("bbox")]

        image = overlay_page(small, scaled(cells.values()), failing, corrected, scaled(grids))
        file = f"img/{slug}_p{page.number}.jpg"
        _write_image(root / file, image, [cv2.IMWRITE_JPEG_QUALITY, 88])
        overlays.append((page.number, file))
        bgr = cv2.cvtColor(page.image, cv2.COLOR_GRAY2BGR if page.image.ndim == 2 else cv2.COLOR_RGB2BGR)
        for key in sorted(failing):
            cell = cells.get(key)
            if cell is None or cell.get("page") != page.number or not cell.get("bbox"):
                continue
            x0, y0, x1, y1 = map(int, cell["bbox"])
            pad = max(8, (y1 - y0) // 3)
            crop = bgr[max(0, y0 - pad):min(h, y1 + pad), max(0, x0 - pad):min(w, x1 + pad)].copy()
            cv2.rectangle(crop, (min(pad, x0), min(pad, y0)), (min(pad, x0) + x1 - x0, min(pad, y0) + y1 - y0), RED, 1)
            crops[key] = f"img/{slug}_{_slug('_'.join(key))}.png"
            _write_image(root / crops[key], crop)
    labels = {}
    if layout is not None:
        for spec in layout.tables.values():
            labels.update({e.key: e.label for e in spec.row_entries() + spec.col_entries()})
    values = {k: c.get("value") for k, c in cells.items()}
    body = [f'<p><a href="index.html">← all documents</a></p><h1>{_e(name)}</h1>',
            (f'<p>Status <span class="s-{_e(doc.get("status"))}">{_e(doc.get("status"))}</span> · layout '
            f"{_e(doc.get('layout'))} · source {_e(', '.join(map(str, doc.get('source') or [])))} · {len(cells)} cells, "
            f"{len(unread)} unread, {len(corrected)} corrected · {len(failing_checks)} failing of {len(checks)} checks</p>")]
    body += [f'<p class="rel warn">{_e(m)}</p>' for m in list(doc.get("errors") or []) + notes]
    body.append(f"<h2>Failing relations ({len(failing_checks)})</h2>")
    body += [f'<p class="rel">{_relation_html(c, layout, values, labels)}</p>' for c in failing_checks] or ["<p>None.</p>"]
    warns = [c for c in checks if c.get("status") == CheckStatus.WARN]
    body += [f'<p class="rel warn">{_relation_html(c, layout, values, labels)}</p>' for c in warns]
    body.append(LEGEND)
    for tkey in tables:
        spec = layout.tables.get(tkey) if layout else None
        tcells = {k: c for k, c in cells.items() if k[0] == tkey}
        figs: list[str] = []
        zeros: list[str] = []
        for key in (k for k in tcells if k in crops):
            cap = f"{labels.get(key[1], key[1])} / {labels.get(key[2], key[2])}: read {_fmt(values.get(key))}"
            fig = f'<figure><img src="{quote(crops[key])}" alt="{_e(cap)}"><figcaption>{_e(cap)}</figcaption></figure>'
            (zeros if values.get(key) == 0 else figs).append(fig)
        if zeros:  # cells read as 0 or blank rarely hide the error: folded away
            figs.append(f"<details><summary>{len(zeros)} more read as 0 / blank</summary>{''.join(zeros)}</details>")
        side = f'<div class="crops"><b>Suspect cells on the page</b>{"".join(figs)}</div>' if figs else ""
        body.append(f'<div class="pair"><div>{_table_html(spec.title if spec else tkey, spec, tcells, failing, corrected)}'
                    f"</div>{side}</div>")
    body.append(f"<h2>Pages</h2><p>Overlays: mapped cells green, failing red, corrected amber, unread hatched, grid blue "
                f"({len(doc.get('grids') or [])} ruled tables detected).</p><div class=\"pages\">")
    body += [f'<a href="{quote(f)}"><img src="{quote(f)}" alt="page {n}"><br>page {n}</a>' for n, f in overlays]
    body.append("</div>")
    _write_text(root / f"{slug}.html", _page(f"{name} – review", "".join(body)))
    return _index_row(doc, f"{slug}.html")


def _index_row(doc: dict, href: str | None) -> dict:
    tables = doc.get("tables") or {}
    cells = [c for tab in tables.values() for c in (tab or {}).get("cells", [])]
    checks = doc.get("checks") or []
    return {"name": str(doc.get("document")), "href": href, "status": str(doc.get("status")),
            "layout": doc.get("layout"), "cells": len(cells), "unread": sum(c.get("value") is None for c in cells),
            "corrected": sum(map(_is_corrected, cells)), "fail": sum(c.get("status") == CheckStatus.FAIL for c in checks),
            "warn": sum(c.get("status") == CheckStatus.WARN for c in checks),
            "checks": len(checks), "errors": len(doc.get("errors") or [])}


def write_review(out_dir: Path, items: list[tuple[dict, DocumentSource]],
                 on_error: Callable[[dict, Exception], None] | None = None) -> Path:
    """Write out_dir/review/ (index.html, one page per document, overlay and crop images); returns
    index.html. With on_error, a document whose page cannot be written is handed to it (the batch
    fails that document; on_error may update the report dict) and listed without a page."""
    root = Path(out_dir) / "review"
    (root / "img").mkdir(parents=True, exist_ok=True)
    slugs = _unique_slugs([str(doc.get("document")) for doc, _ in items])
    rows = []
    for (doc, source), slug in zip(items, slugs):
        try:
            rows.append(_write_document(root, doc, source, slug))
        except Exception as err:  # noqa: BLE001 - handed to the batch's failure policy for writing
            if on_error is None:
                raise
            with suppress(OSError):
                (root / f"{slug}.html").unlink(missing_ok=True)  # no stale page of an earlier run
            on_error(doc, err)
            rows.append(_index_row(doc, None))
    rows.sort(key=lambda r: (STATUS_RANK.get(r["status"], 2), -r["fail"], -r["unread"], r["name"]))
    head = "".join(f"<th>{h}</th>" for h in ("Document", "Status", "Layout", "Failing checks", "Warnings",
                                             "Unread cells", "Corrected", "Cells", "Errors"))
    lines = [f'<tr><th>{_link(r)}</th><td class="s-{_e(r["status"])}">'
             f'{_e(r["status"])}</td><td>{_e(r["layout"])}</td><td class="{"fail" if r["fail"] else ""}">{r["fail"]} / '
             f'{r["checks"]}</td><td>{r["warn"]}</td><td>{r["unread"]}</td><td>{r["corrected"]}</td><td>{r["cells"]}</td>'
             f'<td>{r["errors"]}</td></tr>' for r in rows]
    body = (f"<h1>Review: {len(rows)} documents</h1><p>Most trouble first: failed documents, then the most failing "
            f"relations, then the most unread cells.</p><table><thead><tr>{head}</tr></thead><tbody>{''.join(lines)}"
            "</tbody></table>")
    index = root / "index.html"
    _write_text(index, _page("Review", body))
    return index


def _link(row: dict) -> str:
    return f'<a href="{quote(row["href"])}">{_e(row["name"])}</a>' if row["href"] else _e(row["name"])
