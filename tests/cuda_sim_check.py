"""Run by ``tests/test_cuda_kernels.py`` in a fresh Python with ``NUMBA_ENABLE_CUDASIM=1``
(Numba reads it at import): the CUDA kernel in Numba's simulator against the CPU trainer,
on small networks for a few epochs. Prints one JSON object."""
import json

import numpy as np

from ghostbook import rnn, train

N, EPOCHS = 8, 4
LR = np.array([0.05, 1.5], np.float32)
CASES = {
    "rank_one": (rnn.init_rank_one([0, 3], N=N),
                 lambda **k: train.train_rank_one(None, c=[5.0, 20.0], **k)),
    "rank_k": (rnn.init_rank_k([1, 2], 3, N=N), lambda **k: train.train_rank_k(None, 3, **k)),
    "full": (rnn.init_full_rank([4, 5], N=N), lambda **k: train.train_rank_k(None, "full", **k)),
}


def relative(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a), 1e-30)))


out = {}
for name, (init, fit) in CASES.items():
    kw = dict(lr=LR, epochs=EPOCHS, init=init, snapshot_epochs=[0, 2, EPOCHS], progress=False)
    cpu, gpu = fit(**kw), fit(backend="cuda", **kw)
    out[name] = {"device": gpu.device, "cpu_device": cpu.device,
                 "loss": relative(cpu.loss, gpu.loss),
                 "grad_norm": relative(cpu.grad_norm, gpu.grad_norm),
                 "accuracy_equal": bool(np.array_equal(cpu.accuracy, gpu.accuracy)),
                 "params": float(np.max(np.abs(cpu.params.flat() - gpu.params.flat()))),
                 "snapshots": float(np.max(np.abs(cpu.snapshots.flat() - gpu.snapshots.flat()))),
                 "params_move": float(np.max(np.abs(cpu.params.flat() - init.flat())))}
try:
    train.train_rank_one([0], 0.1, 2, dtype=np.float64, backend="cuda", progress=False)
    out["float64"] = "accepted"
except ValueError as err:
    out["float64"] = str(err)
print(json.dumps(out))
