"""The `digitize` command."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from tqdm import tqdm

from . import __version__, load
from .errors import DigitizerError, ExitCode
from .ocr.engines import ENGINES
from .report import Report
from .settings import Settings
from .types import CheckStatus


class _DefaultToRun(click.Group):
    """`digitize scans/` means `digitize run scans/`: paths go to the run command."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["run", *args]
        elif args and args[0].startswith("-") and args[0] not in ("--help", "-h", "--version"):
            args = ["run", *args]
        return super().parse_args(ctx, args)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """`digitize --help` lists the run options too: `digitize DIR` is the command people type."""
        super().format_options(ctx, formatter)
        run = self.get_command(ctx, "run")
        if run is None:
            return
        sub = click.Context(run, info_name="run", parent=ctx)
        rows = [record for param in run.get_params(sub)
                if isinstance(param, click.Option) and (record := param.get_help_record(sub))]
        with formatter.section("Options of `digitize INPUTS...` (the run command)"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context):
        """Ctrl-C anywhere ends with exit code 130 and one line (click's own answer is exit 1,
        the code of "some documents failed")."""
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("\ninterrupted: documents that finished are written and archived; run again to resume", err=True)
            ctx.exit(int(ExitCode.interrupted))


def _versions() -> str:
    from .ocr.models import versions

    lines = [f"digitizer {__version__}"]
    try:
        import paddleocr

        lines.append(f"paddleocr {paddleocr.__version__}")
    except ImportError:
        lines.append("paddleocr not installed")
    try:
        import onnxruntime

        lines.append(f"onnxruntime {onnxruntime.__version__}")
    except ImportError:
        pass
    lines += [f"model {name}: {pin}" for name, pin in versions().items()]
    return "\n".join(lines)


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(_versions())
        ctx.exit()


@click.group(cls=_DefaultToRun, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Print the digitizer, engine and model versions.")
def main() -> None:
    """Digitize scanned 政府信息公开工作年度报告 (and any ruled table) into checked data.

    \b
    digitize scans/ --out out/      read every document under scans/
    digitize eval scans/            accuracy against the ground truth in scans/truth/
    """


_engine_option = click.option("--engine", default="paddleocr", show_default=True,
                              type=click.Choice(sorted(ENGINES)),
                              help="OCR engine: paddleocr = PaddleOCR on ONNX Runtime; onnxruntime = the same model "
                                   "on onnxruntime directly; paddle = PaddleOCR on native PaddlePaddle "
                                   "(needs digitizer[paddle]).")
_paddle_model_option = click.option("--paddle-model-dir", default=None,
                                    type=click.Path(exists=True, file_okay=False, path_type=Path),
                                    help="With --engine paddle: your Paddle-format recognition model folder "
                                         "(default: the pinned model, converted once).")
_device_option = click.option("--device", default="cpu", show_default=True, type=click.Choice(["cpu", "cuda"]),
                              help="Run the recognizer on the CPU or a CUDA GPU (needs digitizer[gpu]; with --engine paddle, paddlepaddle-gpu).")
_threads_option = click.option("--threads", default=2, show_default=True, help="CPU threads for the recognizer.")
_text_layer_option = click.option("--text-layer/--no-text-layer", default=True, show_default=True,
                                  help="Read a born-digital PDF page from its text layer (exact, several times "
                                       "faster); --no-text-layer reads every page by OCR, as a scan.")


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", default="out", show_default=True, type=click.Path(path_type=Path),
              help="Folder for <document>.json, .xlsx, cells.csv, checks.csv, summary.json and archive.sqlite.")
@click.option("--archive", "archive_url", default=None,
              help="Archive database: a SQLite path or postgresql://user@host/db (default: OUT/archive.sqlite).")
@click.option("--force", is_flag=True, help="Read documents again even if the archive holds them with the same settings.")
@click.option("--executor", default="local", show_default=True, type=click.Choice(["local", "ray"]),
              help="local: a process pool on this machine; ray: Ray Data actors (digitizer[ray]).")
@click.option("--ray-address", default=None, help="Ray cluster to join (default: start a local Ray).")
@_engine_option
@_paddle_model_option
@_device_option
@click.option("--workers", default=None, type=int, help="Documents read in parallel, one process each (default: all cores).")
@_threads_option
@_text_layer_option
@click.option("--xlsx/--no-xlsx", default=True, show_default=True, help="Also write one Excel workbook per document.")
@click.option("--review/--no-review", default=True, show_default=True,
              help="Also write OUT/review/index.html: page overlays and rebuilt tables to check by eye.")
@click.option("--max-pages", default=Settings.max_pages, show_default=True, type=click.IntRange(1),
              help="Pages per document; a longer one fails with this limit named.")
@click.option("--max-page-pixels", default=Settings.max_page_pixels, show_default=True, type=click.IntRange(1),
              help="Pixels per page image (decompression bombs); PDF pages are rendered within it.")
@click.option("--max-file-mb", default=Settings.max_file_bytes // 1_000_000, show_default=True,
              type=click.IntRange(1), help="Megabytes per file, checked before the file is read or hashed.")
@click.option("--min-page-side", default=Settings.min_page_side, show_default=True, type=click.IntRange(1),
              help="Pixels of a page's shorter side; a thinner page is refused as no page.")
@click.option("--max-page-aspect", default=Settings.max_page_aspect, show_default=True,
              type=click.FloatRange(1, 1e6), help="How many times longer than wide a page may be.")
@click.option("--quiet", is_flag=True, help="No progress bar and no per-document lines (for scripts).")
@click.option("--log-json", is_flag=True, help="One JSON line per document on stderr instead of the progress bar.")
def run(inputs: tuple[Path, ...], out_dir: Path, archive_url: str | None, force: bool, executor: str,
        ray_address: str | None, engine: str, paddle_model_dir: Path | None, device: str,
        workers: int | None, threads: int, text_layer: bool, xlsx: bool, review: bool, max_pages: int, max_page_pixels: int,
        max_file_mb: int, min_page_side: int, max_page_aspect: float, quiet: bool, log_json: bool) -> None:
    """Read every document (PNG, JPG, TIFF, BMP, WebP, PDF; folders recursively) in INPUTS.

    \b
    Loose page images <stem>_p1.jpg, <stem>_p2.jpg or <stem>-001.png … are one document.
    A document's id (OUT/<id>.json) is its file stem; where two share one, the id is the
    path under the input folder with __ between folders (p/rep.pdf: p__rep).
    A file reached twice (symlinks, a folder given twice) is read once.
    A rerun skips documents already archived with the same settings (resume); --force redoes them.
    A bad document, or one whose outputs cannot be written, gets status failed with its reason
    (tracebacks in OUT/digitize.log) and the batch goes on; one run at a time writes OUT.
    cells.csv, checks.csv and summary.json list every document in the archive read with these
    settings (latest version of each), not only this run's.

    \b
    Exit codes: 0 every document read (those read in part, status partial, are named at the end
    and in summary.json's `partial`); 1 some failed; 2 the run could not start (bad option or
    input, unusable --out or archive, OUT held by another run) or go on (the archive lost mid-run,
    a batch-wide file unwritable; what finished is kept); 130 Ctrl-C (what finished is kept).
    """
    import json as _json
    import time

    from .batch import output_lock, run_batch

    try:
        sources = load.discover(inputs)
    except DigitizerError as err:
        raise click.UsageError(str(err)) from err
    if not sources:
        raise click.UsageError(f"no page images or PDFs under {', '.join(map(str, inputs))}")
    try:
        settings = Settings(engine=engine, paddle_model_dir=paddle_model_dir, device=device, cpu_threads=threads,
                            workers=workers if workers is not None else Settings().workers, max_pages=max_pages,
                            max_page_pixels=max_page_pixels, max_file_bytes=max_file_mb * 1_000_000,
                            min_page_side=min_page_side, max_page_aspect=max_page_aspect, text_layer=text_layer)
    except ValueError as err:  # limits that admit no page
        raise click.UsageError(str(err)) from err
    bar = tqdm(total=len(sources), unit="doc", disable=quiet or log_json, file=sys.stderr)
    started, pages = time.perf_counter(), 0

    def on_report(report: Report, skipped: bool) -> None:
        nonlocal pages
        pages += report.pages
        rate = pages / max(time.perf_counter() - started, 1e-6)
        bar.update(1)
        bar.set_postfix(pages_per_s=f"{rate:.2f}")
        failing = [f"{c.rule}:{c.key}" for c in report.checks if c.status == CheckStatus.FAIL]
        if log_json:
            click.echo(_json.dumps({"document": report.document, "status": str(report.status),
                                    "layout": report.layout, "pages": report.pages,
                                    "seconds": round(report.seconds, 3), "failing": failing,
                                    "errors": report.errors, "skipped": skipped,
                                    "pages_per_second": round(rate, 3)}, ensure_ascii=False), err=True)
        elif not quiet:
            cells = sum(len(c) for c in report.tables.values())
            note = " (already archived)" if skipped else ""
            tqdm.write(f"{report.document}: {report.status}, layout {report.layout}, "
                       f"{report.pages} pages, {cells} cells, failing: {', '.join(failing) or '-'}{note}"
                       + (f" ({'; '.join(report.errors)})" if report.errors else ""), file=sys.stderr)

    try:
        with output_lock(out_dir):
            summary = run_batch(sources, out_dir, settings, xlsx=xlsx, on_report=on_report, archive_url=archive_url,
                                force=force, executor=executor, ray_address=ray_address, review=review)
            bar.close()
    except DigitizerError as err:
        bar.close()
        click.echo(f"error: {err}", err=True)
        sys.exit(int(err.exit_code))
    if summary.interrupted:
        click.echo(f"\ninterrupted: the {summary.documents - summary.skipped} documents read in this run are written "
                   "and archived; run the same command again to read the rest", err=True)
    if not quiet:
        click.echo(f"{summary.documents} documents ({summary.skipped} already archived), {summary.pages} pages, "
                   f"{summary.cells} cells read; {len(summary.failed)} failed; "
                   f"{len(summary.inconsistent)} with failing relations. Results in {out_dir}/")
        if summary.partial:
            click.echo(f"{len(summary.partial)} read in part (exit code 0; see their errors):")
        for document, reason in summary.failed:
            click.echo(f"  failed {document}: {reason}")
        for document, reason in summary.partial:
            click.echo(f"  partial {document}: {reason}")
        for document, missing in summary.unnamed:
            click.echo(f"  warning {document}: no {', '.join(missing)} found on its first page")
        for document, failing in summary.inconsistent:
            click.echo(f"  inconsistent {document}: {', '.join(failing)}")
        if summary.review is not None:
            click.echo(f"Review: {summary.review}")
    sys.exit(int(summary.exit_code))


@main.command("export")
@click.argument("archive")
@click.option("--parquet", "parquet_dir", type=click.Path(path_type=Path), help="Write cells and checks as Parquet, partitioned by year.")
@click.option("--xlsx", "xlsx_dir", type=click.Path(path_type=Path), help="Write one workbook per document.")
def export_command(archive: str, parquet_dir: Path | None, xlsx_dir: Path | None) -> None:
    """Export an ARCHIVE (SQLite path or postgresql:// URL) as Parquet and/or Excel."""
    from .archive import Archive

    if not parquet_dir and not xlsx_dir:
        raise click.UsageError("say what to write: --parquet DIR and/or --xlsx DIR")
    if "://" not in archive and not Path(archive).is_file():
        raise click.UsageError(f"no archive at {archive}: give the archive.sqlite of a run's --out, or a database URL")
    with Archive(archive) as db:
        if parquet_dir:
            click.echo(f"{len(db.export_parquet(parquet_dir))} Parquet files in {parquet_dir}/")
        if xlsx_dir:
            click.echo(f"{len(db.export_xlsx(xlsx_dir))} workbooks in {xlsx_dir}/")


@main.command("eval")
@click.argument("scans", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--truth", type=click.Path(path_type=Path), help="Ground-truth folder (default: SCANS/truth).")
@click.option("--out", "out_dir", default="out/eval", show_default=True, type=click.Path(path_type=Path))
@_engine_option
@_paddle_model_option
@_device_option
@_threads_option
@_text_layer_option
def eval_command(scans: Path, truth: Path | None, out_dir: Path, engine: str, paddle_model_dir: Path | None,
                 device: str, threads: int, text_layer: bool) -> None:
    """Digitize SCANS and compare with its ground truth: cell accuracy, documents all right,
    precision and recall of the failing relations, pages per second."""
    from .evaluate import evaluate

    result = evaluate(scans, truth or scans / "truth", out_dir,
                      Settings(engine=engine, paddle_model_dir=paddle_model_dir, device=device, workers=1,
                               cpu_threads=threads, text_layer=text_layer))
    click.echo(result.render())


@main.command()
def schema() -> None:
    """Print the JSON Schema every OUT/<document>.json follows."""
    import json as _json

    from .report import json_schema

    click.echo(_json.dumps(json_schema(), ensure_ascii=False, indent=2))


if __name__ == "__main__":  # pragma: no cover
    main()
