"""The fused GPU kernel (``ghostbook.cuda_kernels``) without a GPU: in Numba's CUDA
simulator it trains rank-one, rank-K and full-rank networks as the CPU trainer does,
to float32 rounding (the device's ``tanh`` and ``exp`` differ from the CPU kernel's own
by an ulp or so). Its speed on a GPU is measured by ``benchmarks/``, where one exists."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ghostbook import cuda_kernels, train

HERE = Path(__file__).resolve().parent
TOLERANCE = 1e-5            # relative, over 4 epochs, before rounding can decide a fate


@pytest.fixture(scope="module")
def simulated():
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "1", "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, str(HERE / "cuda_sim_check.py")], env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("model", ["rank_one", "rank_k", "full"])
def test_the_simulated_kernel_trains_as_the_cpu_trainer(simulated, model):
    got = simulated[model]
    assert got["device"] == "CUDA simulator" and got["cpu_device"] == "cpu"
    assert got["params_move"] > 100 * TOLERANCE        # the networks do change
    assert got["loss"] < TOLERANCE and got["grad_norm"] < TOLERANCE
    assert got["accuracy_equal"]
    assert got["params"] < TOLERANCE and got["snapshots"] < TOLERANCE


def test_the_cuda_backend_trains_float32_only(simulated):
    assert "float32" in simulated["float64"]


def test_backend_is_checked():
    with pytest.raises(ValueError, match="backend"):
        train.train_rank_one([0], 0.1, 2, backend="gpu", progress=False)
    if not cuda_kernels.available():
        with pytest.raises(ValueError, match="NUMBA_ENABLE_CUDASIM"):
            train.train_rank_one([0], 0.1, 2, backend="cuda", progress=False)


def test_the_cpu_result_says_it_was_the_cpu():
    result = train.train_rank_one([0], np.float32(0.1), 2, progress=False)
    assert result.device == "cpu"


def test_the_gpu_backend_reaches_only_the_compiled_trainer():
    from ghostbook import experiments, memory

    with pytest.raises(ValueError, match="backend 'cuda' trains only"):
        experiments.reproduce("collapse_dcdt", "quick", save=False, backend="cuda")
    with pytest.raises(ValueError, match="backend"):
        experiments.reproduce("figS2", "quick", save=False, backend="tpu")
    with pytest.raises(ValueError, match="backend 'cuda' trains only task 'activation'"):
        memory.train("dcdt", [0], [0.1], 2, backend="cuda", progress=False)


def test_a_saved_result_names_its_device(tmp_path):
    from ghostbook import results

    meta = results.save("x-quick", {"a": np.zeros(2)}, {"k": 1}, 1.0, directory=tmp_path)
    assert meta["device"] == "cpu"
    meta = results.save("x-quick", {"a": np.zeros(2)}, {"k": 1}, 1.0, directory=tmp_path,
                        device="NVIDIA H200")
    assert json.loads((tmp_path / "x-quick.json").read_text())["device"] == "NVIDIA H200"
