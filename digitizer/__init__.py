"""digitizer: scanned Chinese government annual reports into checked, structured data."""

from __future__ import annotations

__version__ = "0.1.0"

from .pipeline import Digitizer, digitize, digitize_many  # noqa: E402
from .report import Report  # noqa: E402
from .settings import Settings  # noqa: E402

__all__ = ["Digitizer", "Report", "Settings", "digitize", "digitize_many", "__version__"]
