"""User-facing errors: each carries a plain reason and, where it helps, how to fix it, and the
exit code the command ends with when it stops the run."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    ok = 0  # every document read
    some_failed = 1  # the batch finished, some documents have status failed
    usage = 2  # the run could not start (bad option, input, --out or archive) or go on (the archive gone mid-run)
    interrupted = 130  # Ctrl-C (128 + SIGINT); what finished is written and archived


class DigitizerError(Exception):
    """Base of the errors a user can act on."""

    exit_code = ExitCode.some_failed


class LoadError(DigitizerError):
    """A document could not be read as pages (corrupt, encrypted, too large, not an image)."""


class SetupError(DigitizerError):
    """The run cannot start: an unusable --out folder, an unreachable or corrupt archive, another
    run holding the output folder. Raised before any document is read."""

    exit_code = ExitCode.usage


class RunError(DigitizerError):
    """The run cannot go on: the archive went away mid-run (server stopped, disk full, locked past
    its timeout) or a batch-wide file cannot be written. Never one document's fault; what finished
    before it is written and archived, and the same command resumes."""

    exit_code = ExitCode.usage


class ModelError(DigitizerError):
    """An OCR model or engine is missing; the message names what to install."""

    exit_code = ExitCode.usage


class EngineUnavailable(ModelError):
    """The chosen engine's package is not installed."""
