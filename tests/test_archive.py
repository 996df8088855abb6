"""The archive database against real SQLite files and a real PostgreSQL server (tests/pg.py)."""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from digitizer import archive as archive_module
from digitizer.archive import Archive, _url, sha256_of
from digitizer.errors import SetupError
from tests.pg import Unavailable, postgres_url, required

REAL_REPORT = Path(__file__).parent / "data" / "archive_report.json"


@pytest.fixture(scope="session")
def pg_server():
    try:
        with postgres_url() as url:
            yield url
    except Unavailable as e:
        if required():
            pytest.fail(f"PostgreSQL required (DIGITIZER_TEST_REQUIRE_PG) but unavailable: {e}")
        pytest.skip(f"PostgreSQL tests skipped: {e}")


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request, tmp_path):
    """A factory of URLs of fresh, empty databases on one backend: a new file (SQLite) or a new
    schema on the test server (PostgreSQL), so tests never see each other's rows."""
    schemas: list[str] = []
    base = request.getfixturevalue("pg_server") if request.param == "postgresql" else None

    def make() -> str:
        if base is None:
            return str(tmp_path / f"archive-{uuid.uuid4().hex[:8]}.sqlite")
        schema = f"t_{uuid.uuid4().hex[:12]}"
        with sa.create_engine(_url(base)).begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        schemas.append(schema)
        return f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"

    yield make
    if schemas:
        engine = sa.create_engine(_url(base))
        with engine.begin() as conn:
            for schema in schemas:
                conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        engine.dispose()


@pytest.fixture
def make_archive(fresh_url):
    """A factory of fresh, empty archives on one backend."""
    opened: list[Archive] = []

    def make() -> Archive:
        opened.append(Archive(fresh_url()))
        return opened[-1]

    yield make
    for archive in opened:
        archive.close()


@pytest.fixture
def archive(make_archive) -> Archive:
    return make_archive()


def report(name: str, balance: str = "pass", layout: str | None = "2021", value: object = 5) -> dict:
    """A small report in the output contract's format."""
    return {
        "document": name, "source": [f"{name}.pdf"], "status": "ok", "layout": layout,
        "tables": {
            "applications": {"cells": [
                {"row": "new_received", "col": "natural_person", "value": value, "text": str(value),
                 "confidence": 0.99, "page": 2, "bbox": [1, 2, 3, 4]},
                {"row": "new_received", "col": "total", "value": 7, "text": "7", "confidence": 0.98,
                 "page": 2, "bbox": [5, 6, 7, 8]},
                {"row": "carried_over", "col": "total", "value": None, "text": "?", "confidence": 0.2,
                 "page": 2, "bbox": [9, 9, 9, 9]},
            ]},
            "active": {"cells": [
                {"row": "rules", "col": "issued", "value": 0, "text": "", "confidence": 1.0, "page": 1,
                 "bbox": [0, 0, 1, 1]},
            ]},
            "review_litigation": {"cells": []},
        },
        "checks": [
            {"rule": "applications.balance", "key": "total", "status": balance, "expected": 7,
             "actual": 7 if balance == "pass" else 8, "cells": [["applications", "new_received", "total"]]},
            {"rule": "active.sum", "key": "issued", "status": "skip", "expected": None, "actual": None,
             "cells": []},
        ],
        "errors": [],
        "pages": 3, "seconds": 1.5, "engine": "test",
    }


def counts(archive: Archive) -> dict[str, int]:
    return {table: len(rows) for table, rows in archive.dump().items()}


def test_record_and_has(archive):
    assert not archive.has("a" * 64, "run1")
    archive.record(report("r1"), "in/r1.pdf", "a" * 64, "run1", models="det=v5", year=2021)
    assert archive.has("a" * 64, "run1")
    assert not archive.has("a" * 64, "run2") and not archive.has("b" * 64, "run1")
    dump = archive.dump()
    [doc] = dump["documents"]
    assert (doc["document"], doc["path"], doc["year"], doc["layout"], doc["models"]) == \
        ("r1", "in/r1.pdf", 2021, "2021", "det=v5")
    assert json.loads(doc["source"]) == ["r1.pdf"]
    assert len(dump["cells"]) == 4 and len(dump["checks"]) == 2 and dump["errors"] == []
    unread = next(c for c in dump["cells"] if c["row_key"] == "carried_over")
    assert unread["value"] is None and unread["text"] == "?"


def test_record_again_replaces_without_duplicates(archive):
    first = archive.record(report("r1"), "r1.pdf", "a" * 64, "run1")
    before = archive.dump()
    second = archive.record(report("r1"), "r1.pdf", "a" * 64, "run1")
    assert second != first
    assert archive.dump() == before
    archive.record(report("r1", balance="fail"), "r1.pdf", "a" * 64, "run1")  # --force with new results
    assert counts(archive) == {"documents": 1, "cells": 4, "checks": 2, "errors": 0}
    assert [r["document"] for r in archive.failing()] == ["r1"]


def test_other_run_key_is_a_separate_row(archive):
    archive.record(report("r1"), "r1.pdf", "a" * 64, "run1")
    archive.record(report("r1", balance="fail"), "r1.pdf", "a" * 64, "run2")
    assert counts(archive) == {"documents": 2, "cells": 8, "checks": 4, "errors": 0}
    assert [(r["document"], r["run_key"]) for r in archive.failing()] == [("r1", "run2")]


def test_failing(archive):
    archive.record(report("ok21"), "ok21.pdf", "1" * 64, "k", year=2021)
    archive.record(report("bad21", balance="fail"), "bad21.pdf", "2" * 64, "k", year=2021)
    archive.record(report("bad19", balance="fail", layout="2019"), "bad19.pdf", "3" * 64, "k", year=2019)
    archive.record(report("warn21", balance="warn"), "warn21.pdf", "4" * 64, "k", year=2021)
    assert [r["document"] for r in archive.failing()] == ["bad19", "bad21"]
    assert [r["document"] for r in archive.failing(rule="applications.balance", year=2021)] == ["bad21"]
    assert [r["document"] for r in archive.failing(rule="balance", year=2019)] == ["bad19"]
    assert archive.failing(rule="active.sum") == []
    assert archive.failing(year=2020) == []


def test_dump_is_equal_whatever_the_order(make_archive):
    reports = [(report("a"), "1" * 64), (report("b", balance="fail"), "2" * 64),
               (report("c", layout=None), "3" * 64)]
    one, two = make_archive(), make_archive()
    for r, sha in reports:
        one.record(r, f"{r['document']}.pdf", sha, "k", year=2021)
    for r, sha in reversed(reports):
        two.record(r, f"{r['document']}.pdf", sha, "k", year=2021)
    two.record(reports[0][0], "a.pdf", "1" * 64, "k", year=2021)  # a forced redo changes nothing
    assert one.dump() == two.dump()
    two.record(report("a", value=6), "a.pdf", "1" * 64, "k", year=2021)
    assert one.dump() != two.dump()


def test_export_parquet_one_file_per_year_reads_back_with_pandas(archive, tmp_path):
    import pandas as pd

    archive.record(report("a"), "a.pdf", "1" * 64, "k", year=2021)
    archive.record(report("b", layout="2019"), "b.pdf", "2" * 64, "k", year=2019)
    archive.record(report("c", layout=None), "c.pdf", "3" * 64, "k")  # year unknown
    out = tmp_path / "parquet"
    archive.export_parquet(out)
    archive.export_parquet(out)  # a second export replaces the first, no doubled rows
    parts = sorted(p.name for p in (out / "cells").iterdir())
    assert parts == ["year-2019.parquet", "year-2021.parquet", "year-unknown.parquet"]
    # pandas reads the folder whole, a document without a year too (hive folders with a null
    # year made pyarrow refuse it).
    table = pd.read_parquet(out / "cells")
    assert len(table) == counts(archive)["cells"] == 12
    assert sorted(set(table["year"].dropna().astype(int))) == [2019, 2021] and table["year"].isna().sum() == 4
    assert set(table.loc[table["year"] == 2019, "document"]) == {"b"}
    assert len(pd.read_parquet(out / "checks")) == 6
    assert len(pd.read_parquet(out / "cells", filters=[("year", "=", 2021)])) == 4


def test_export_xlsx_one_workbook_per_document(archive, tmp_path):
    import openpyxl

    archive.record(report("a"), "a.pdf", "1" * 64, "k", year=2021)
    archive.record(json.loads(REAL_REPORT.read_text(encoding="utf-8")), "real", "2" * 64, "k")
    written = archive.export_xlsx(tmp_path / "xlsx")
    assert sorted(p.name for p in written) == ["a.xlsx", "r01-2021-jpg-blank.xlsx"]
    book = openpyxl.load_workbook(tmp_path / "xlsx" / "a.xlsx")
    # Its metadata, then its tables laid out as the report prints them (as a run writes them).
    assert book.sheetnames == ["document", "applications", "active", "checks"]  # no cells: no sheet
    info = {row[0]: row[1] for row in book["document"].iter_rows(min_row=2, values_only=True)}
    assert info["document"] == "a" and info["sha256"] == "1" * 64
    sheet = book["applications"]
    header = [cell for row in sheet.iter_rows(min_row=2, max_row=3) for cell in row if cell.value]
    at = {cell.value: cell.column - 1 for cell in header}
    values = {(row[0], col): row[at[label]] for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]
              for label, col in (("自然人", "natural_person"), ("总计", "total"))}
    assert values[("一、本年新收政府信息公开申请数量", "natural_person")] == 5
    assert values[("一、本年新收政府信息公开申请数量", "total")] == 7
    assert values[("二、上年结转政府信息公开申请数量", "total")] is None  # unread


@pytest.mark.parametrize("bad_cell", [
    {"value": "not a number"},  # rejected by the archive, after the document row went in
    {"row": None},  # rejected by the database itself (row_key NOT NULL)
], ids=["value-not-a-number", "row-missing"])
def test_a_failed_record_leaves_the_old_state(archive, bad_cell):
    bad = report("r1", balance="fail")
    bad["tables"]["active"]["cells"][0].update(bad_cell)
    with pytest.raises((ValueError, sa.exc.IntegrityError)):
        archive.record(bad, "r1.pdf", "a" * 64, "run1")
    assert counts(archive) == {"documents": 0, "cells": 0, "checks": 0, "errors": 0}
    assert not archive.has("a" * 64, "run1")
    archive.record(report("r1"), "r1.pdf", "a" * 64, "run1")
    before = archive.dump()
    with pytest.raises((ValueError, sa.exc.IntegrityError)):
        archive.record(bad, "r1.pdf", "a" * 64, "run1")  # a failed --force keeps the old document
    assert archive.dump() == before


def test_real_report_and_failed_document(archive):
    real = json.loads(REAL_REPORT.read_text(encoding="utf-8"))
    archive.record(real, "scans/r01", "1" * 64, "k", year=2021)
    failed = {"document": "broken", "source": ["broken.pdf"], "status": "failed", "layout": None,
              "tables": {}, "checks": [], "errors": ["cannot open broken.pdf", "not a PDF"]}
    archive.record(failed, "broken.pdf", "2" * 64, "k")
    dump = archive.dump()
    assert len(dump["cells"]) == sum(len(t["cells"]) for t in real["tables"].values()) == 200
    assert len(dump["checks"]) == len(real["checks"])
    assert [e["message"] for e in dump["errors"]] == ["cannot open broken.pdf", "not a PDF"]
    doc = next(d for d in dump["documents"] if d["document"] == "broken")
    assert doc["status"] == "failed" and doc["errors"] == "cannot open broken.pdf\nnot a PDF"
    first = real["tables"]["applications"]["cells"][0]
    stored = next(c for c in dump["cells"] if (c["table_key"], c["row_key"], c["col_key"])
                  == ("applications", first["row"], first["col"]))
    assert stored["value"] == first["value"] and stored["page"] == first["page"]


def test_concurrent_writers(make_archive):
    """Workers of a batch each hold their own Archive on the same database."""
    first = make_archive()
    url = first.url.replace("postgresql+psycopg://", "postgresql://")
    others = [Archive(url) for _ in range(3)]
    try:
        def work(i: int) -> None:
            for j in range(5):
                others[i].record(report(f"d{i}-{j}"), "p", f"{i}{j}".ljust(64, "0"), "k")
        with ThreadPoolExecutor(3) as pool:
            list(pool.map(work, range(3)))
    finally:
        for a in others:
            a.close()
    assert counts(first)["documents"] == 15


def test_sha256_of(tmp_path):
    a, b = tmp_path / "a.jpg", tmp_path / "b.jpg"
    a.write_bytes(b"page one")
    b.write_bytes(b"page two")
    assert sha256_of([a]) == hashlib.sha256(b"page one").hexdigest()
    assert sha256_of([a, b]) != sha256_of([b, a])
    assert sha256_of([a, b]) == sha256_of([tmp_path / "a.jpg", tmp_path / "b.jpg"])
    c = tmp_path / "c.jpg"
    c.write_bytes(b"page onepage two")
    assert sha256_of([c]) != sha256_of([a, b])


def test_urls(tmp_path):
    assert _url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert _url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert _url("sqlite:///x.sqlite") == "sqlite:///x.sqlite"
    assert _url(tmp_path / "out" / "archive.sqlite") == f"sqlite:///{tmp_path / 'out' / 'archive.sqlite'}"
    assert (tmp_path / "out").is_dir()


def test_schema_creation_when_runs_start_at_once(fresh_url):
    """Four runs opening one fresh database at the same moment: none dies with "table already
    exists", and every one can write."""
    url = fresh_url()
    start = threading.Barrier(4)

    def open_and_write(i: int) -> None:
        start.wait()
        with Archive(url) as archive:
            archive.record(report(f"d{i}"), "p", f"{i}".ljust(64, "0"), "k")

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(open_and_write, range(4)))
    with Archive(url) as archive:
        assert counts(archive)["documents"] == 4


ADDED_IN_1_1 = {"documents": ("title",), "cells": ("unit", "read_as", "corrected_by", "flags"),
                "checks": ("relation", "suspects")}


def _old_schema(url: str, without: dict[str, tuple[str, ...]] | None = None) -> None:
    """The tables as archives made before document ids counted: unique on (sha256, run_key);
    `without`: columns added later, left out."""
    old = sa.MetaData()
    for table in archive_module.metadata.sorted_tables:
        copy = table.to_metadata(old)
        for name in (without or {}).get(table.name, ()):
            copy._columns.remove(copy.c[name])
    docs = old.tables["documents"]
    docs.constraints.remove(next(c for c in docs.constraints if c.name == archive_module._UNIQUE))
    docs.append_constraint(sa.UniqueConstraint("sha256", "run_key", name=archive_module._OLD_UNIQUE))
    engine = sa.create_engine(_url(url))
    old.create_all(engine)
    engine.dispose()


def test_an_old_archive_is_upgraded_and_keeps_its_rows(fresh_url):
    url = fresh_url()
    _old_schema(url)
    with Archive(url) as archive:
        archive.record(report("p__rep"), "p/rep.pdf", "a" * 64, "k")
    with Archive(url) as archive:  # opened again: already upgraded, nothing changes
        archive.record(report("q__rep"), "q/rep.pdf", "a" * 64, "k")  # same content, another document
        assert sorted(d["document"] for d in archive.dump()["documents"]) == ["p__rep", "q__rep"]
        assert counts(archive) == {"documents": 2, "cells": 8, "checks": 4, "errors": 0}
        archive.record(report("p__rep"), "p/rep.pdf", "a" * 64, "k")  # a redo replaces its own row only
        assert counts(archive)["documents"] == 2
        assert archive.has("a" * 64, "k", "q__rep") and not archive.has("a" * 64, "k", "r__rep")


def test_an_archive_made_before_the_added_columns_gets_them_and_keeps_its_rows(fresh_url):
    """The old unique key and none of the 1.1 columns: both upgrades at one opening, the rows
    there before read back with the new columns null, new rows with them."""
    url = fresh_url()
    _old_schema(url, without=ADDED_IN_1_1)
    engine = sa.create_engine(_url(url))
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO documents (path, document, source, sha256, run_key, status, engine, models, "
                             "errors, created_at) VALUES ('o.pdf', 'old', '[]', :sha, 'k', 'ok', '', '', '', :now)"),
                     {"sha": "b" * 64, "now": datetime.now(UTC)})
    engine.dispose()
    with Archive(url) as archive:
        checked = report("new")
        checked["title"] = "某局2021年政府信息公开工作年度报告"
        checked["checks"][0].update(relation="total: new_received (7) = r7_total (7)", suspects=[])
        archive.record(checked, "n.pdf", "c" * 64, "k")
        reports = {r["document"]: r for r in archive.latest_reports("k")}
    assert reports["old"]["title"] is None and reports["new"]["title"] == checked["title"]
    assert reports["new"]["checks"][0]["relation"] == "total: new_received (7) = r7_total (7)"


@pytest.mark.parametrize("make_url", [
    lambda tmp: "postgresql://nobody@127.0.0.1:1/x",
    lambda tmp: "sqlite:////nonexistent/dir/a.db",
    lambda tmp: (tmp / "corrupt.sqlite").write_bytes(b"not a database, " * 512) and tmp / "corrupt.sqlite",
    lambda tmp: (tmp / "file").write_text("x") and tmp / "file" / "archive.sqlite",
], ids=["unreachable-postgresql", "sqlite-folder-missing", "corrupt-sqlite", "parent-is-a-file"])
def test_an_unusable_archive_is_a_setup_error(tmp_path, make_url):
    with pytest.raises(SetupError, match="cannot open the archive") as caught:
        Archive(make_url(tmp_path))
    assert "\n" not in str(caught.value)
