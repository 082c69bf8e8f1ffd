"""Cached runs on disk: arrays in ``NAME.npz`` beside metadata in ``NAME.json``.

Both files are written to a temporary name and moved into place, so an
interrupted run never leaves a half-written result. A result is *fresh* when the
settings stored with it equal the settings the code would use now; chapters
load only fresh results, so a changed default cannot leave stale figures behind.
"""
import dataclasses
import json
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np

from . import __version__

DEFAULT_DIR = Path(__file__).resolve().parents[1] / "results"


def results_dir():
    """``$GHOSTBOOK_RESULTS`` if set, else the repository's ``results/``."""
    return Path(os.environ.get("GHOSTBOOK_RESULTS", DEFAULT_DIR))


def _computed(settings):
    """A settings dataclass as a dict of the fields the computation reads (recursively),
    without the ``shown`` and ``paper`` fields of :mod:`ghostbook.settings`."""
    if not dataclasses.is_dataclass(settings):
        return settings
    return {f.name: _computed(getattr(settings, f.name)) for f in dataclasses.fields(settings)
            if f.metadata.get("kind") not in ("shown", "paper")}


def canonical(settings):
    """Settings (a dataclass or a dict) as plain JSON values, for storage and comparison:
    the key of a cached result."""
    return json.loads(json.dumps(_computed(settings), sort_keys=True))


def _atomic_write(path, write):
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _compiler_versions():
    """Versions of the JIT compiler behind the trainer: a different build may round
    differently, so a cached run is bit-identical to a rerun only under the same one."""
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in ("numba", "llvmlite"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            pass
    return out


def save(name, arrays, settings, wall_time, directory=None, device="cpu"):
    """Store ``arrays`` (a dict of NumPy arrays) with their settings and provenance
    (``device``: what computed them, ``"cpu"`` or a GPU's name)."""
    directory = Path(directory or results_dir())
    directory.mkdir(parents=True, exist_ok=True)
    meta = {
        "name": name,
        "settings": canonical(settings),
        "ghostbook_version": __version__,
        "wall_time_s": round(float(wall_time), 3),
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "python": platform.python_version(),
        "numpy": np.__version__,
        **_compiler_versions(),
        "machine": platform.machine(),
        "device": str(device),
        "arrays": sorted(arrays),
    }
    _atomic_write(directory / f"{name}.npz", lambda f: np.savez_compressed(f, **arrays))
    text = json.dumps(meta, indent=2, sort_keys=True).encode()
    _atomic_write(directory / f"{name}.json", lambda f: f.write(text))
    return meta


class Partial:
    """The finished pieces of a long run (e.g. one arm of Fig. S2), each saved as soon as it
    is done under ``results/.partial/NAME/``, so that an interrupted run resumes where it
    stopped. Pieces computed under other settings are discarded; :meth:`clear` removes
    them all once the whole result is saved."""

    def __init__(self, name, settings, directory=None):
        self.path = Path(directory or results_dir()) / ".partial" / name
        self.path.mkdir(parents=True, exist_ok=True)
        stamp = json.dumps(canonical(settings), sort_keys=True).encode()
        marker = self.path / "settings.json"
        if not marker.exists() or marker.read_bytes() != stamp:
            self.clear()
            self.path.mkdir(parents=True, exist_ok=True)
            _atomic_write(marker, lambda f: f.write(stamp))

    def get(self, key):
        """The arrays saved under ``key``, or ``None``."""
        path = self.path / f"{key}.npz"
        if not path.exists():
            return None
        with np.load(path) as data:
            return {k: data[k] for k in data.files}

    def put(self, key, arrays):
        _atomic_write(self.path / f"{key}.npz", lambda f: np.savez_compressed(f, **arrays))

    def clear(self):
        if self.path.exists():
            for item in self.path.iterdir():
                item.unlink()
            self.path.rmdir()


def metadata(name, directory=None):
    """The stored metadata of ``name``, or ``None`` if there is no such result."""
    path = Path(directory or results_dir()) / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def is_fresh(name, settings, directory=None):
    meta = metadata(name, directory)
    return meta is not None and meta["settings"] == canonical(settings)


def load(name, settings, directory=None):
    """``(arrays, metadata)`` of a fresh result, or ``None`` if absent or stale."""
    if not is_fresh(name, settings, directory):
        return None
    with np.load(Path(directory or results_dir()) / f"{name}.npz") as data:
        arrays = {key: data[key] for key in data.files}
    return arrays, metadata(name, directory)
