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


def save(name, arrays, settings, wall_time, directory=None, device="cpu", segments=1):
    """Store ``arrays`` (a dict of NumPy arrays) with their settings and provenance
    (``device``: what computed them, ``"cpu"`` or a GPU's name; ``segments``: how many
    runs, each resuming the last one's checkpoint, computed them in ``wall_time``
    seconds together, ``None`` if not known)."""
    if segments is not None and segments < 1:
        raise ValueError(f"segments must be at least 1 (or None: not known), got {segments!r}")
    directory = Path(directory or results_dir())
    directory.mkdir(parents=True, exist_ok=True)
    meta = {
        "name": name,
        "settings": canonical(settings),
        "ghostbook_version": __version__,
        "wall_time_s": round(float(wall_time), 3),
        "segments": None if segments is None else int(segments),
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
        # the compute time behind the saved pieces: earlier runs' (up to their last
        # save; work after it was lost) and this run's, counted from now
        clock = self.path / "time.json"
        if clock.exists():
            earlier = json.loads(clock.read_text())
        elif any(self.path.glob("*.npz")):    # pieces saved before runs were timed
            earlier = {"seconds": 0.0, "segments": None}
        else:
            earlier = {"seconds": 0.0, "segments": 0}
        self._earlier_s = float(earlier["seconds"])
        self._earlier_runs = earlier["segments"]
        self._started = time.perf_counter()

    def elapsed(self):
        """Seconds of computing behind this result so far: this run's, and the earlier
        runs' up to their last saved piece."""
        return self._earlier_s + time.perf_counter() - self._started

    @property
    def segments(self):
        """How many runs computed this result: this one and those it resumes (``None``
        when it resumes pieces saved before runs were counted)."""
        return None if self._earlier_runs is None else self._earlier_runs + 1

    def get(self, key):
        """The arrays saved under ``key``, or ``None``."""
        path = self.path / f"{key}.npz"
        if not path.exists():
            return None
        with np.load(path) as data:
            return {k: data[k] for k in data.files}

    def put(self, key, arrays):
        _atomic_write(self.path / f"{key}.npz", lambda f: np.savez_compressed(f, **arrays))
        clock = json.dumps({"seconds": self.elapsed(), "segments": self.segments}).encode()
        _atomic_write(self.path / "time.json", lambda f: f.write(clock))

    def clear(self):
        if self.path.exists():
            for item in self.path.iterdir():
                item.unlink()
            self.path.rmdir()


def compute_time(meta):
    """How long a stored result took to compute, for a chapter's or the CLI's line:
    "12.3 min", "12.3 min in 3 runs, each resuming the last", or, for a result that
    resumed pieces saved before runs were timed, the time of the timed runs only, said."""
    text = f"{meta['wall_time_s'] / 60:.1f} min"
    runs = meta.get("segments", 1)
    if runs is None:
        return text + " (the last runs only: it resumed earlier runs whose time was not recorded)"
    return text if runs == 1 else f"{text} in {runs} runs, each resuming the last"


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
