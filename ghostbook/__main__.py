"""Command line: ``python -m ghostbook reproduce FIGURE [--scale quick|paper]``.

Computes one figure's experiment with a progress bar and caches the arrays and their
metadata under ``results/`` (``$GHOSTBOOK_RESULTS`` to change), where the chapters
find them. ``python -m ghostbook status`` lists what is cached and whether it is fresh.
"""
import argparse
import sys

from . import experiments, results
from .settings import SCALES


def _status():
    for name in experiments.COMPUTE:
        for scale, settings in SCALES[name].items():
            meta = results.metadata(f"{name}-{scale}")
            if meta is None:
                state = "not computed"
            else:
                fresh = "fresh" if results.is_fresh(f"{name}-{scale}", settings) else "STALE"
                state = f"{fresh}, {results.compute_time(meta)} on {meta['created']}"
            print(f"{name:6} {scale:6} {state}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m ghostbook", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    rep = sub.add_parser("reproduce", help="compute a figure and cache its results")
    rep.add_argument("figure", choices=sorted(experiments.COMPUTE))
    rep.add_argument("--scale", choices=("quick", "paper"), default="quick",
                     help="quick: what the chapters compute; paper: the paper's full scale")
    rep.add_argument("--backend", choices=("cpu", "cuda"), default="cpu",
                     help="cuda: train on a GPU (figS2 and fig6a; float32); the cache's "
                          "metadata names the device")
    sub.add_parser("status", help="list cached results and whether they match the settings")
    args = parser.parse_args(argv)
    if args.command == "status":
        _status()
        return
    _, meta = experiments.reproduce(args.figure, args.scale, progress=True,
                                    backend=args.backend)
    print(f"{args.figure} at {args.scale} scale: {results.compute_time(meta)}, "
          f"saved to {results.results_dir() / (args.figure + '-' + args.scale)}.npz")


if __name__ == "__main__":
    sys.exit(main())
