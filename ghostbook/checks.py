"""Argument checks shared by the modules. Each raises a ``ValueError`` that names the
parameter, e.g. ``T must be positive and finite, got -1``."""
import numpy as np


def positive(name, value):
    """``value`` as a float array, or raise if any entry is not in ``(0, inf)``."""
    arr = np.asarray(value, dtype=float)
    if arr.size == 0 or not np.all(np.isfinite(arr) & (arr > 0)):
        raise ValueError(f"{name} must be positive and finite, got {value!r}")
    return arr


def real(name, value):
    """``value`` as a float array, or raise on NaN (infinities are allowed)."""
    arr = np.asarray(value, dtype=float)
    if np.any(np.isnan(arr)):
        raise ValueError(f"{name} must not be NaN, got {value!r}")
    return arr


def positive_int(name, value):
    """``value`` as an int, or raise unless it is a positive integer (``True`` is not)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def progress_bar(progress, total, unit):
    """A tqdm bar over ``total`` ``unit``s, after checking ``progress``: ``None`` shows it
    once a run has taken two seconds, ``True`` at once, ``False`` never."""
    from tqdm.auto import tqdm

    if progress not in (None, True, False):
        raise ValueError(f"progress must be None (show on long runs), True or False, got {progress!r}")
    return tqdm(total=total, unit=unit, disable=progress is False,
                delay=0 if progress else 2.0, leave=False)
