"""The two front-door commands of ghostbook, for a fresh machine with Python 3.11.

    python3 dev.py book    # build the website into _build/html
    python3 dev.py test    # unit tests + every notebook (nbmake) + the site in a browser

Both create `.venv/` on first use and install the project's own requirements
into it (again only when `requirements.txt` or `pyproject.toml` change).
Extra arguments after `test` go to pytest, e.g. `python3 dev.py test tests/test_toy.py`.
"""
import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
# CPU-only machines: pin the CPU build of torch first, or pip picks a CUDA build.
TORCH = os.environ.get("GHOSTBOOK_TORCH", "torch==2.13.0")


def venv_bin(name):
    return VENV / ("Scripts" if os.name == "nt" else "bin") / name


def run(cmd, env=None):
    print("+", " ".join(map(str, cmd)), flush=True)
    subprocess.run(list(map(str, cmd)), cwd=ROOT, check=True, env=env)


def one_thread_each():
    """The environment for the test run: two pytest workers share the two cores, so
    each (and each notebook kernel and site build it starts) computes on one thread;
    threads of BLAS, OpenMP or Numba fighting over the cores cost far more than they
    gain. Variables the caller set are kept."""
    names = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")
    return {**{name: "1" for name in names}, **os.environ}


def ensure_env():
    """Create `.venv` and install torch, the package and its tools into it."""
    stamp = VENV / ".ghostbook-installed"
    inputs = [(ROOT / f).read_bytes() for f in ("requirements.txt", "pyproject.toml")]
    want = hashlib.sha256(b"".join(inputs) + TORCH.encode()).hexdigest()
    if stamp.exists() and stamp.read_text() == want:
        return
    if not venv_bin("python").exists():
        venv.create(VENV, with_pip=True)
    pip = [venv_bin("python"), "-m", "pip", "install", "--disable-pip-version-check"]
    run(pip + TORCH.split())
    run(pip + ["-r", "requirements.txt"])
    stamp.write_text(want)


def main(argv):
    if not argv or argv[0] not in ("book", "test"):
        sys.exit(__doc__)
    ensure_env()
    if argv[0] == "book":
        run([venv_bin("jupyter-book"), "build", ".", "-W", "-n", "--keep-going", *argv[1:]])
        print(f"\nThe book is at {ROOT / '_build' / 'html' / 'index.html'}")
    else:
        # loadfile: each test file runs on one worker, so the browser tests
        # (tests/test_site.py) build the site once and share one browser while the
        # other worker runs the notebooks and unit tests.
        run([venv_bin("python"), "-m", "pytest", "-n", "2", "--dist", "loadfile", "--nbmake", "--durations=30", *argv[1:]],
            env=one_thread_each())


if __name__ == "__main__":
    main(sys.argv[1:])
