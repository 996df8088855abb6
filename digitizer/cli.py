"""The `digitize` command."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from tqdm import tqdm

from . import __version__, load
from .errors import DigitizerError, ExitCode
from .settings import Settings


class _DefaultToRun(click.Group):
    """`digitize scans/` means `digitize run scans/`: paths go to the run command."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["run", *args]
        elif args and args[0].startswith("-") and args[0] not in ("--help", "-h", "--version"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


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
    digitize generate scans/        regenerate the sample scans
    """


def _settings(engine: str, device: str, workers: int, threads: int) -> Settings:
    return Settings(engine=engine, device=device, workers=workers, cpu_threads=threads)


_engine_option = click.option("--engine", default="paddleocr", show_default=True,
                              type=click.Choice(["paddleocr", "onnxruntime"]),
                              help="OCR engine: PaddleOCR on ONNX Runtime, or the same model on onnxruntime directly.")
_device_option = click.option("--device", default="cpu", show_default=True, type=click.Choice(["cpu", "cuda"]),
                              help="Run the recognizer on the CPU or a CUDA GPU (needs digitizer[gpu]).")
_threads_option = click.option("--threads", default=2, show_default=True, help="CPU threads for the recognizer.")


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", default="out", show_default=True, type=click.Path(path_type=Path),
              help="Folder for <document>.json, .xlsx, cells.csv, checks.csv and summary.json.")
@_engine_option
@_device_option
@click.option("--workers", default=1, show_default=True, help="Documents read in parallel (processes).")
@_threads_option
@click.option("--xlsx/--no-xlsx", default=True, show_default=True, help="Also write one Excel workbook per document.")
@click.option("--quiet", is_flag=True, help="No progress bar and no per-document lines.")
def run(inputs: tuple[Path, ...], out_dir: Path, engine: str, device: str, workers: int, threads: int,
        xlsx: bool, quiet: bool) -> None:
    """Read every document (PNG, JPG, TIFF, BMP, WebP, PDF; folders recursively) in INPUTS.

    Loose page images <stem>_p1.jpg, <stem>_p2.jpg or <stem>-001.png … are one document.
    Exit code 0 when every document was read, 1 when some failed, 2 on a usage error.
    """
    from .batch import run_batch

    try:
        sources = load.discover(inputs)
    except DigitizerError as err:
        raise click.UsageError(str(err)) from err
    if not sources:
        raise click.UsageError(f"no page images or PDFs under {', '.join(map(str, inputs))}")
    settings = _settings(engine, device, workers, threads)
    bar = tqdm(total=len(sources), unit="doc", disable=quiet, file=sys.stderr)

    def on_report(report) -> None:
        bar.update(1)
        if not quiet:
            failing = ", ".join(f"{c.rule}:{c.key}" for c in report.failed_checks) or "-"
            cells = sum(len(c) for c in report.tables.values())
            tqdm.write(f"{report.document}: {report.status}, layout {report.layout}, {report.pages} pages, "
                       f"{cells} cells, failing: {failing}" + (f" ({'; '.join(report.errors)})" if report.errors else ""),
                       file=sys.stderr)

    try:
        summary = run_batch(sources, out_dir, settings, xlsx=xlsx, on_report=on_report)
    except DigitizerError as err:
        bar.close()
        click.echo(f"error: {err}", err=True)
        sys.exit(int(err.exit_code))
    bar.close()
    click.echo(f"{summary.documents} documents, {summary.pages} pages, {summary.cells} cells read; "
               f"{len(summary.failed)} failed; {len(summary.inconsistent)} with failing relations; "
               f"{summary.seconds:.1f} s. Results in {out_dir}/")
    sys.exit(int(summary.exit_code))


@main.command("eval")
@click.argument("scans", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--truth", type=click.Path(path_type=Path), help="Ground-truth folder (default: SCANS/truth).")
@click.option("--out", "out_dir", default="out/eval", show_default=True, type=click.Path(path_type=Path))
@_engine_option
@_device_option
@_threads_option
def eval_command(scans: Path, truth: Path | None, out_dir: Path, engine: str, device: str, threads: int) -> None:
    """Digitize SCANS and compare with its ground truth: cell accuracy, documents all right,
    precision and recall of the failing relations, pages per second."""
    from .evaluate import evaluate

    result = evaluate(scans, truth or scans / "truth", out_dir, _settings(engine, device, 1, threads))
    click.echo(result.render())


@main.command()
@click.argument("out_dir", type=click.Path(path_type=Path))
def generate(out_dir: Path) -> None:
    """Write the generated sample scans and their ground truth to OUT_DIR."""
    from .synth.samples import build_all

    build_all(out_dir)


if __name__ == "__main__":  # pragma: no cover
    main()
