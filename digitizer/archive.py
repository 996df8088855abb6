"""Archive database for bulk runs: every report's cells, checks and errors in SQL, so that questions
across thousands of documents ("every 2021 report whose balance fails") are one query, and an
interrupted run can resume where it stopped.

SQLAlchemy Core with one schema for two backends: SQLite (default; one embedded file, nothing to
install) and PostgreSQL (``postgresql://…`` URL, driver psycopg 3) for shared, concurrent use.
A document is identified by its id (the file stem, longer where two inputs share one), the content
hash of its files and a ``run_key`` chosen by the caller (engine, settings and model versions): the
same scan read by another engine is a separate row, and so is a copy of it under another name.
Opening an archive is a setup step: a database that cannot be reached, created or read raises
SetupError (one line, exit 2) before any document is read. Losing it later (server stopped,
connection dropped, disk full, locked past the timeout) raises RunError (one line, exit 2): the run
stops, and what was archived before stays. A record the database refuses for its content (a NUL
byte in PostgreSQL text, a number out of range) raises the driver's own error: that document's.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from . import export
from .errors import RunError, SetupError
from .types import CheckStatus

metadata = sa.MetaData()
_UNIQUE = "uq_documents_document_sha256_run_key"
_OLD_UNIQUE = "uq_documents_sha256_run_key"  # archives made before document ids counted
_SCHEMA_LOCK = 0x6469_6769  # PostgreSQL advisory lock id held while the schema is created

documents = sa.Table(
    "documents", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("document", sa.Text, nullable=False),
    sa.Column("source", sa.Text, nullable=False, default="[]"),  # JSON list of file names
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("run_key", sa.Text, nullable=False),
    sa.Column("pages", sa.Integer),
    sa.Column("layout", sa.String(16)),
    sa.Column("agency", sa.Text),
    sa.Column("year", sa.Integer),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("engine", sa.Text, nullable=False, default=""),
    sa.Column("models", sa.Text, nullable=False, default=""),
    sa.Column("seconds", sa.Double),
    sa.Column("errors", sa.Text, nullable=False, default=""),  # the messages joined by newlines
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("title", sa.Text),  # added in schema 1.1 (_add_new_columns): null in older archives
    sa.UniqueConstraint("document", "sha256", "run_key", name=_UNIQUE),
    sa.Index("ix_documents_year_layout", "year", "layout"),
    sa.Index("ix_documents_status", "status"),
    sqlite_autoincrement=True,  # never reuse a replaced document's id (as PostgreSQL's sequence)
)


def _child(name: str, *columns: sa.Column) -> sa.Table:
    """A per-document table; rows go with their document (the cascade is a safety net, record()
    deletes children explicitly because SQLite enforces foreign keys only when asked to)."""
    fk = sa.ForeignKey("documents.id", ondelete="CASCADE")
    return sa.Table(
        name, metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document_id", sa.Integer, fk, nullable=False, index=True),
        *columns,
    )


cells = _child(
    "cells",
    sa.Column("table_key", sa.Text, nullable=False),
    sa.Column("row_key", sa.Text, nullable=False),
    sa.Column("col_key", sa.Text, nullable=False),
    sa.Column("value", sa.Double),  # null: the cell could not be read
    sa.Column("text", sa.Text, nullable=False, default=""),
    sa.Column("confidence", sa.Double),
    sa.Column("page", sa.Integer),
    # Added in schema 1.1 (_add_new_columns): null in older archives.
    sa.Column("unit", sa.Text),
    sa.Column("read_as", sa.Text),  # what was read, where a correction changed it
    sa.Column("corrected_by", sa.Text),
    sa.Column("flags", sa.Text),  # JSON list, or null for none
)
sa.Index("ix_cells_coordinate", cells.c.table_key, cells.c.row_key, cells.c.col_key)

checks = _child(
    "checks",
    sa.Column("rule", sa.Text, nullable=False),
    sa.Column("key", sa.Text, nullable=False, default=""),
    sa.Column("status", sa.String(8), nullable=False),
    sa.Column("expected", sa.Double),
    sa.Column("actual", sa.Double),
    sa.Column("cells", sa.Text, nullable=False, default="[]"),  # JSON list of [table, row, col]
    # Added in schema 1.1 (_add_new_columns): null in older archives.
    sa.Column("relation", sa.Text),
    sa.Column("suspects", sa.Text),  # JSON list of [table, row, col], likeliest first; null: none given
)
sa.Index("ix_checks_rule_status", checks.c.rule, checks.c.status)

errors = _child("errors", sa.Column("message", sa.Text, nullable=False))

CHILDREN = (cells, checks, errors)
# What dump() leaves out: surrogate ids and whatever differs between two runs of the same input.
_VOLATILE = {"id", "document_id", "created_at", "seconds"}


def sha256_of(paths: Sequence[Path]) -> str:
    """Content hash of a document's files in order; renaming or moving a scan keeps its identity.
    One file: its plain sha256 (the same as ``sha256sum``, so a scan can be looked up by hand).
    Several: sha256 over the per-file digests, one per line, so file boundaries count."""
    digests = []
    for path in paths:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        digests.append(h.hexdigest())
    if len(digests) == 1:
        return digests[0]
    return hashlib.sha256("".join(d + "\n" for d in digests).encode()).hexdigest()


def _url(url_or_path: str | Path) -> str:
    """Plain paths mean SQLite; ``postgresql://`` means psycopg 3 (SQLAlchemy's default is psycopg2)."""
    text = str(url_or_path)
    if re.match(r"^postgres(ql)?://", text):
        return "postgresql+psycopg://" + text.split("://", 1)[1]
    if "://" in text:
        return text
    Path(text).parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{Path(text).resolve()}"


def _number(value: Any, strict: bool) -> float | None:
    """Cell values must be numbers or null (the contract): anything else aborts the document's
    transaction. Check values are informative only, so an odd one is stored as null."""
    if value is None:
        return None
    try:
        if isinstance(value, bool):
            raise TypeError(f"not a number: {value!r}")
        return float(value)
    except (TypeError, ValueError):
        if strict:
            raise ValueError(f"not a number: {value!r}") from None
        return None


def _sort_key(row: dict) -> tuple:
    return tuple((v is None, "" if v is None else v) for v in row.values())


class Archive:
    """One archive database. Safe to share between the processes of a batch: every document is
    written in its own short transaction (SQLite: WAL mode, so readers never block the writer)."""

    def __init__(self, url_or_path: str | Path) -> None:
        try:
            self.url = _url(url_or_path)
            self.engine: Engine = sa.create_engine(self.url, pool_pre_ping=not self.url.startswith("sqlite"))
        except (OSError, sa.exc.ArgumentError, ImportError) as err:
            raise SetupError(f"cannot open the archive {url_or_path}: {_one_line(err)}") from err
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        try:
            self._create_schema()
        except sa.exc.SQLAlchemyError as err:
            self.engine.dispose()
            shown = self.engine.url.render_as_string(hide_password=True)
            raise SetupError(f"cannot open the archive {shown}: {_one_line(getattr(err, 'orig', None) or err)}") from err

    def _create_schema(self) -> None:
        """Create the tables if missing, safe when several runs start at once on a fresh database:
        one transaction holding the database's write lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: an
        advisory lock), so a second run waits, then finds the tables."""
        if self.engine.dialect.name == "sqlite":
            with self.engine.connect() as conn:
                _create_sqlite_schema(conn)
            return
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": _SCHEMA_LOCK})
            metadata.create_all(conn)
            _add_new_columns(conn)  # first: the unique key's upgrade copies every column
            _upgrade_unique_key(conn)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    @contextmanager
    def _reachable(self) -> Iterator[None]:
        """The archive lost mid-run is a RunError (one line); errors about one record's content
        pass through as the driver raised them."""
        try:
            yield
        except sa.exc.DBAPIError as err:
            if not (isinstance(err, sa.exc.OperationalError | sa.exc.InterfaceError) or err.connection_invalidated):
                raise
            shown = self.engine.url.render_as_string(hide_password=True)
            raise RunError(f"the archive {shown} cannot be reached or written any more "
                           f"({_one_line(getattr(err, 'orig', None) or err)}); documents that finished before "
                           "are written and archived: run the same command again to resume") from err

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def has(self, sha256: str, run_key: str, document: str | None = None) -> bool:
        """Whether this content was already archived with this run_key (resume skips it), under
        this document id if one is given."""
        query = sa.select(documents.c.id).where(documents.c.sha256 == sha256, documents.c.run_key == run_key)
        if document is not None:
            query = query.where(documents.c.document == document)
        with self._reachable(), self.engine.connect() as conn:
            return conn.execute(query.limit(1)).first() is not None

    def moved(self, sha256: str, run_key: str, path: str, document: str) -> str | None:
        """The id under which this content, from this path, was archived with this run key, if it
        is not `document`: the document was renamed because a same-named one appeared."""
        d = documents.c
        query = (sa.select(d.document).where(d.sha256 == sha256, d.run_key == run_key, d.path == path,
                                             d.document != document).order_by(d.id.desc()).limit(1))
        with self._reachable(), self.engine.connect() as conn:
            return conn.execute(query).scalar()

    def forget(self, document: str, sha256: str, run_key: str) -> None:
        """Delete one archived version of a document (it lives on under another id)."""
        with self._reachable(), self.engine.begin() as conn:
            self._delete(conn, document, sha256, run_key)

    def latest_reports(self, run_key: str) -> list[dict]:
        """Every document archived with this run key, its latest version (by id), as the parts of
        its report JSON that the batch-wide files list (document, status, pages, seconds, errors,
        tables with cells, checks), ordered by document id."""
        d = documents.c
        latest = sa.select(sa.func.max(d.id)).where(d.run_key == run_key).group_by(d.document).scalar_subquery()
        with self._reachable(), self.engine.connect() as conn:
            docs = self._report_dicts(conn, latest)
        return sorted(docs.values(), key=lambda doc: doc["document"])

    @staticmethod
    def _report_dicts(conn: Connection, ids: Any) -> dict[int, dict]:
        """The archived documents whose id is in `ids` (a list or a subquery), by id, each as the
        parts of its report JSON the archive holds."""
        d = documents.c
        docs = {r.id: {"document": r.document, "source": json.loads(r.source or "[]"), "status": r.status,
                       "pages": r.pages, "seconds": r.seconds, "layout": r.layout, "year": r.year,
                       "agency": r.agency, "title": r.title, "engine": r.engine,
                       "errors": r.errors.split("\n") if r.errors else [], "tables": {}, "checks": []}
                for r in conn.execute(sa.select(documents).where(d.id.in_(ids)))}
        c = cells.c
        for r in conn.execute(sa.select(cells).where(c.document_id.in_(ids)).order_by(c.id)):
            table = docs[r.document_id]["tables"].setdefault(r.table_key, {"cells": []})
            table["cells"].append({"row": r.row_key, "col": r.col_key, "value": r.value, "text": r.text,
                                   "confidence": r.confidence, "page": r.page, "unit": r.unit,
                                   "read_as": r.read_as, "corrected_by": r.corrected_by,
                                   "flags": json.loads(r.flags) if r.flags else []})
        k = checks.c
        for r in conn.execute(sa.select(checks).where(k.document_id.in_(ids)).order_by(k.id)):
            docs[r.document_id]["checks"].append({"rule": r.rule, "key": r.key, "status": r.status,
                                                  "expected": r.expected, "actual": r.actual,
                                                  "cells": json.loads(r.cells), "relation": r.relation or "",
                                                  "suspects": json.loads(r.suspects) if r.suspects else None})
        return docs

    def record(self, report: dict, path: str, sha256: str, run_key: str, models: str = "",
               agency: str | None = None, year: int | None = None) -> int:
        """Store one report in one transaction, replacing an earlier row of the same (document,
        sha256, run_key): a crash or a bad report leaves the old state or the new one, never half of one.
        Returns the new document id."""
        with self._reachable(), self.engine.begin() as conn:
            self._delete(conn, report["document"], sha256, run_key)  # a write first: SQLite takes its write lock here
            messages = [str(m) for m in report.get("errors") or []]
            inserted = conn.execute(documents.insert().values(
                path=str(path), document=report["document"], source=json.dumps(report.get("source") or []),
                sha256=sha256, run_key=run_key, pages=report.get("pages"), layout=report.get("layout"),
                agency=agency, year=year, title=report.get("title"), status=report["status"],
                engine=report.get("engine") or "",
                models=models, seconds=report.get("seconds"), errors="\n".join(messages),
                created_at=datetime.now(UTC),
            )).inserted_primary_key
            assert inserted is not None  # an INSERT's result always has it
            document_id = inserted[0]
            cell_rows = [
                {"document_id": document_id, "table_key": table_key, "row_key": c.get("row"),
                 "col_key": c.get("col"), "value": _number(c.get("value"), strict=True),
                 "text": c.get("text") or "", "confidence": c.get("confidence"), "page": c.get("page"),
                 "unit": c.get("unit"), "read_as": c.get("read_as"), "corrected_by": c.get("corrected_by"),
                 "flags": json.dumps(c["flags"], ensure_ascii=False) if c.get("flags") else None}
                for table_key, table in (report.get("tables") or {}).items()
                for c in table.get("cells") or []
            ]
            check_rows = [
                {"document_id": document_id, "rule": c.get("rule"), "key": str(c.get("key") or ""),
                 "status": c.get("status"), "expected": _number(c.get("expected"), strict=False),
                 "actual": _number(c.get("actual"), strict=False), "cells": json.dumps(c.get("cells") or []),
                 "relation": c.get("relation"),
                 "suspects": json.dumps(c["suspects"], ensure_ascii=False) if c.get("suspects") is not None else None}
                for c in report.get("checks") or []
            ]
            error_rows = [{"document_id": document_id, "message": m} for m in messages]
            for table, rows in zip(CHILDREN, (cell_rows, check_rows, error_rows)):
                if rows:
                    conn.execute(table.insert(), rows)  # executemany: batched by SQLAlchemy
            return int(document_id)

    @staticmethod
    def _delete(conn: Connection, document: str, sha256: str, run_key: str) -> None:
        d = documents.c
        ids = sa.select(d.id).where(d.document == document, d.sha256 == sha256, d.run_key == run_key)
        for table in CHILDREN:
            conn.execute(table.delete().where(table.c.document_id.in_(ids)))
        conn.execute(documents.delete().where(documents.c.id.in_(ids)))

    def failing(self, rule: str | None = None, year: int | None = None) -> list[dict]:
        """Documents with at least one failing check, optionally of one rule and one year. ``rule``
        is a full id (``applications.balance``) or its last part (``balance``)."""
        d = documents.c
        query = (
            sa.select(d.document, d.path, d.sha256, d.run_key, d.year, d.layout, d.agency, d.status)
            .distinct().join_from(documents, checks).where(checks.c.status == CheckStatus.FAIL.value)
        )
        if rule is not None:
            query = query.where(sa.or_(checks.c.rule == rule, checks.c.rule.endswith("." + rule, autoescape=True)))
        if year is not None:
            query = query.where(d.year == year)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query.order_by(d.year, d.document, d.run_key))]

    def values_of(self, agency: str, year: int) -> dict[tuple[str, str, str], float | None] | None:
        """Cell values of the latest archived report of an agency's year (for cross-year checks)."""
        d = documents.c
        query = (sa.select(d.id).where(d.agency == agency, d.year == year, d.layout.is_not(None))
                 .order_by(d.id.desc()).limit(1))
        with self._reachable(), self.engine.connect() as conn:
            row = conn.execute(query).first()
            if row is None:
                return None
            c = cells.c
            found = conn.execute(sa.select(c.table_key, c.row_key, c.col_key, c.value).where(c.document_id == row.id))
            return {(t, r, k): v for t, r, k, v in found}

    def dump(self) -> dict[str, list[dict]]:
        """Every table's rows, sorted, without ids, timestamps and timings; child rows name their
        document by (sha256, run_key). Two archives of the same inputs compare equal."""
        out: dict[str, list[dict]] = {}
        with self.engine.connect() as conn:
            for table in (documents, *CHILDREN):
                columns = [c for c in table.c if c.name not in _VOLATILE]
                query = sa.select(*columns)
                if table is not documents:
                    query = query.add_columns(documents.c.sha256.label("doc_sha256"),
                                              documents.c.run_key.label("doc_run_key")).join_from(table, documents)
                out[table.name] = sorted((dict(r._mapping) for r in conn.execute(query)), key=_sort_key)
        return out

    def _joined(self, table: sa.Table) -> list[dict]:
        """A child table's rows with the document columns people filter on, in insertion order."""
        d = documents.c
        query = sa.select(d.document, d.sha256, d.run_key, d.layout, d.agency, d.year,
                          *[c for c in table.c if c.name not in ("id", "document_id")])
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query.join_from(table, documents).order_by(table.c.id))]

    def export_parquet(self, out_dir: str | Path) -> list[Path]:
        """``out_dir/cells`` and ``out_dir/checks`` as Parquet datasets, one file per year
        (``year-2021.parquet``; ``year-unknown.parquet`` for documents without one) with ``year`` a
        column of every file, so that ``pandas.read_parquet(out_dir / "cells")`` reads the whole
        folder whatever the data (hive folders with a null year make pyarrow refuse the read:
        "Cannot yet unify dictionaries with nulls"). Each export replaces the previous one."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        doc_fields = [("document", pa.string()), ("sha256", pa.string()), ("run_key", pa.string()),
                      ("layout", pa.string()), ("agency", pa.string()), ("year", pa.int32())]
        schemas = {
            "cells": [("table_key", pa.string()), ("row_key", pa.string()), ("col_key", pa.string()),
                      ("value", pa.float64()), ("text", pa.string()), ("confidence", pa.float64()),
                      ("page", pa.int32()), ("unit", pa.string()), ("read_as", pa.string()),
                      ("corrected_by", pa.string()), ("flags", pa.string())],
            "checks": [("rule", pa.string()), ("key", pa.string()), ("status", pa.string()),
                       ("expected", pa.float64()), ("actual", pa.float64()), ("cells", pa.string()),
                       ("relation", pa.string()), ("suspects", pa.string())],
        }
        written = []
        for table in (cells, checks):
            schema = pa.schema(doc_fields + schemas[table.name])
            rows = self._joined(table)
            target = Path(out_dir) / table.name
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True, exist_ok=True)
            years = sorted({r["year"] for r in rows}, key=lambda y: (y is None, y or 0)) or [None]
            for year in years:
                part = pa.Table.from_pylist([r for r in rows if r["year"] == year], schema=schema)
                name = f"year-{year if year is not None else 'unknown'}.parquet"
                with export.atomic_path(target / name) as tmp:
                    pq.write_table(part, tmp)
            written.append(target)
        return written

    def export_xlsx(self, out_dir: str | Path) -> list[Path]:
        """One workbook per archived document: a ``document`` sheet with its metadata, then its
        tables laid out as the report prints them and its checks (digitizer.workbook), as a run
        writes them."""
        from openpyxl import Workbook

        from .report import Report
        from .workbook import build_workbook, fit_columns

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        with self.engine.connect() as conn:
            docs = [dict(r._mapping) for r in conn.execute(sa.select(documents).order_by(documents.c.id))]
            reports = self._report_dicts(conn, [doc["id"] for doc in docs])
        names = [d["document"] for d in docs]
        written = []
        for doc in docs:
            stem = doc["document"] if names.count(doc["document"]) == 1 else f"{doc['document']}-{doc['id']}"
            target = out / (re.sub(r"[^\w.-]+", "_", stem) + ".xlsx")
            info = {k: doc[k] for k in ("document", "path", "sha256", "run_key", "status", "layout",
                                        "agency", "year", "pages", "engine", "models", "errors")}
            book = build_workbook(Report.from_json(reports[doc["id"]])) or Workbook()
            if book.sheetnames == ["Sheet"]:
                book.remove(book.active)
            sheet = book.create_sheet("document", 0)
            sheet.append(["field", "value"])
            for field, value in info.items():
                sheet.append([field, value])
            fit_columns(sheet)
            with export.atomic_path(target) as tmp:
                book.save(tmp)
            written.append(target)
        return written


def _one_line(err: object) -> str:
    return " ".join(str(err).split()) or type(err).__name__


def _create_sqlite_schema(conn: Connection) -> None:
    """SQLite: foreign keys off (only possible outside a transaction) so that an upgrade's table
    rebuild cascades nothing, then one BEGIN IMMEDIATE transaction: a second run waits for it."""
    conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        metadata.create_all(conn)
        _add_new_columns(conn)  # first: the unique key's upgrade copies every column
        _upgrade_unique_key(conn)
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    finally:
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")


def _add_new_columns(conn: Connection) -> None:
    """An archive made before a column was added gets it (every added column is nullable, so
    the rows already there read as null)."""
    inspector = sa.inspect(conn)
    for table in metadata.sorted_tables:
        have = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.c:
            if column.name not in have:
                kind = column.type.compile(dialect=conn.dialect)
                conn.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}")


def _upgrade_unique_key(conn: Connection) -> None:
    """Archives made before document ids counted are unique on (sha256, run_key) alone, which
    would merge two documents of equal content: widen the key to (document, sha256, run_key).
    SQLite cannot alter a constraint, so there the table is rebuilt, its ids kept (legacy rename:
    the child tables' foreign keys keep naming `documents`)."""
    names = {u["name"] for u in sa.inspect(conn).get_unique_constraints("documents")}
    if _OLD_UNIQUE not in names:
        return
    if conn.dialect.name != "sqlite":
        conn.exec_driver_sql(f"ALTER TABLE documents DROP CONSTRAINT {_OLD_UNIQUE}")
        conn.execute(sa.schema.AddConstraint(next(c for c in documents.constraints if c.name == _UNIQUE)))
        return
    columns = ", ".join(c.name for c in documents.c)
    conn.exec_driver_sql("PRAGMA legacy_alter_table=ON")
    conn.exec_driver_sql("ALTER TABLE documents RENAME TO documents_before_upgrade")
    conn.exec_driver_sql("PRAGMA legacy_alter_table=OFF")
    for index in documents.indexes:
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {index.name}")
    documents.create(conn)
    conn.exec_driver_sql(f"INSERT INTO documents ({columns}) SELECT {columns} FROM documents_before_upgrade")
    conn.exec_driver_sql("DROP TABLE documents_before_upgrade")


def _switch_to_wal(cursor: Any, wait_s: float = 30.0) -> None:
    """SQLite answers "database is locked" at once, without calling the busy handler, when two
    connections switch a fresh file to WAL at the same moment: try again for a while."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    """WAL: readers and one writer at a time without blocking each other; busy_timeout: a worker
    waits for another's transaction instead of failing with "database is locked"."""
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    _switch_to_wal(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
