"""Run many documents on Ray Data actors, on this machine or on a cluster (``--executor ray``).

Each actor builds one Digitizer, so the OCR models load once per actor, not once per document.
Reports travel back as pickled bytes (plain data in an Arrow column) and are yielded in input
order, because run_batch zips them with its input list. The archive is still written by the
driver, so the archive is the same whichever executor ran.

Failures: the batch's one failure policy (digitizer.failures.read_document) runs in the actor, so a
document whose pipeline raises comes back as a failed Report, its traceback with it for the
driver's log, and one bad scan never stops the batch. An actor that dies (segfault, out of memory) is restarted
and its document redone a few times (MAX_RETRIES); a document that keeps killing its actor is then
reported failed too instead of being retried forever.
"""

from __future__ import annotations

import os
import pickle
import warnings
from collections.abc import Generator
from pathlib import Path
from typing import Any

from .errors import EngineUnavailable
from .failures import failed_report, read_document
from .report import Report
from .settings import Settings
from .types import DocumentSource

MAX_RETRIES = 2  # restarts of a dead actor / retries of the document it was reading
_OBJECT_STORE_BYTES = 200_000_000  # local Ray only: rows are file paths and pickled reports, both small


class DigitizerActor:
    """A Ray Data map_batches callable: one Digitizer (models loaded once) per actor process."""

    def __init__(self, settings: Settings):
        from .pipeline import Digitizer

        self.digitizer = Digitizer(settings)
        _ = self.digitizer.engine  # load the models now, not inside the first document's timing

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        reports = []
        for document, paths in zip(batch["document"], batch["paths"]):
            report = read_document(self.digitizer, DocumentSource(str(document), tuple(Path(str(p)) for p in paths)))
            reports.append(pickle.dumps(report, protocol=pickle.HIGHEST_PROTOCOL))
        return {"index": batch["index"], "report": reports}


def run_documents(sources: list[DocumentSource], settings: Settings, address: str | None = None,
                  batch_size: int = 1, gpus_per_actor: float = 1.0) -> Generator[Report]:
    """Reports in input order. ``address``: a Ray cluster to join (``ray://head:10001`` or
    ``auto``); without one a local Ray is started with settings.workers CPUs and shut down after.
    Locally settings.workers actors run at once, each with one Ray CPU and cpu_threads // workers
    recognizer threads (as the local process pool); on a cluster settings.workers actors run, each
    reserving cpu_threads CPUs for its cpu_threads threads. With device cuda each actor asks for
    ``gpus_per_actor`` GPUs (0.5: two actors share a GPU)."""
    try:
        import ray
        import ray.data
    except ImportError as err:
        raise EngineUnavailable(f"the Ray executor needs Ray: pip install 'digitizer[ray]' ({err})") from err
    if not sources:
        return
    actors = max(1, min(settings.workers or os.cpu_count() or 1, len(sources)))
    threads = max(1, settings.cpu_threads // actors) if address is None else settings.cpu_threads
    actor_settings = settings.with_(cpu_threads=threads, workers=1)
    started = not ray.is_initialized()
    if started:
        if address is None:
            ray.init(num_cpus=settings.workers or os.cpu_count(), include_dashboard=False,
                     object_store_memory=_OBJECT_STORE_BYTES, log_to_driver=False, configure_logging=False)
        else:
            ray.init(address=address, log_to_driver=False)
    try:
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False  # the CLI has its own progress bar
        context.print_on_execution_start = False
        context.max_errored_blocks = -1  # a block whose actor died MAX_RETRIES times: reported below
        items = [{"index": i, "document": s.document, "paths": [str(p) for p in s.paths]}
                 for i, s in enumerate(sources)]
        with warnings.catch_warnings():  # max_restarts has no named parameter yet in Ray 2.60
            warnings.simplefilter("ignore", DeprecationWarning)
            dataset = ray.data.from_items(items, override_num_blocks=len(items)).map_batches(
                DigitizerActor,
                fn_constructor_kwargs={"settings": actor_settings},
                batch_size=batch_size,
                # One document at a time per actor: an actor that dies takes only its own document.
                compute=ray.data.ActorPoolStrategy(size=actors, max_tasks_in_flight_per_actor=1),
                num_cpus=1 if address is None else threads,
                num_gpus=gpus_per_actor if settings.device == "cuda" else 0,
                max_restarts=MAX_RETRIES,
                max_task_retries=MAX_RETRIES,
            )
        waiting: dict[int, Report] = {}
        next_index = 0
        for row in dataset.iter_rows():
            waiting[int(row["index"])] = pickle.loads(row["report"])
            while next_index in waiting:  # yield as soon as the next report in input order is here
                yield waiting.pop(next_index)
                next_index += 1
        for index in range(next_index, len(sources)):  # lost with a dead actor after all retries
            yield waiting.pop(index) if index in waiting else failed_report(
                sources[index], "the Ray worker process died while reading it (out of memory or a crash)")
    finally:
        if started:
            ray.shutdown()
