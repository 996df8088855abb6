"""User-facing errors: each carries a plain reason and, where it helps, how to fix it."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    ok = 0
    some_failed = 1
    usage = 2


class DigitizerError(Exception):
    """Base of the errors a user can act on."""

    exit_code = ExitCode.some_failed


class LoadError(DigitizerError):
    """A document could not be read as pages (corrupt, encrypted, too large, not an image)."""


class ModelError(DigitizerError):
    """An OCR model or engine is missing; the message names what to install."""

    exit_code = ExitCode.usage


class EngineUnavailable(ModelError):
    """The chosen engine's package is not installed."""
