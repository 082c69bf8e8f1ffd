"""One function per figure, computing from that figure's settings in :mod:`ghostbook.settings`.

The chapters and the command line call these functions; nothing here plots, and nothing
here turns results into claims (that is :mod:`ghostbook.analysis`). The toy model's
figures are cheap, so they run at the paper's scale everywhere; the RNN figures have a
``quick`` and a ``paper`` scale (:data:`ghostbook.settings.SCALES`), and
:func:`load_or_compute` gives a chapter the cached paper-scale run when it is fresh.
"""
import inspect
import time

import numpy as np

from . import analysis, lowrank, results, rnn, toy
from .checks import positive_int, progress_bar
from .settings import SCALES, TOY


def fig2bc(s=TOY):
    """Fig. 2B-C: gradient descent from ``10 r*`` at the two learning rates."""
    return toy.train(s.r0_factor * s.r_star, np.array(s.lrs_bc), s.epochs_bc, s.T)


def fig2d_initial_r(s=TOY):
    """Fig. 2D's initial conditions, shape ``(repeats, n_lrs)``, drawn as the authors do:
    ``np.random.seed(i)`` once for learning rate ``i``, then the ``repeats`` instances in
    sequence, ``r0 = r0_factor r* + N(0, (r0_noise r*)^2)``; every rate has its own
    starting points."""
    r0 = np.empty((s.repeats, s.n_lrs))
    for i in range(s.n_lrs):
        np.random.seed(i)
        r0[:, i] = [s.r0_factor * s.r_star + np.random.normal(0.0, s.r0_noise * s.r_star)
                    for _ in range(s.repeats)]
    return r0


def fig2d(s=TOY):
    """Fig. 2D: every learning rate and instance in one broadcast ``train`` call.

    Returns a :class:`ghostbook.toy.ToyRun` with batch shape ``(repeats, n_lrs)``, ``r`` and
    the loss kept every ``s.record_every`` epochs.
    """
    return toy.train(fig2d_initial_r(s), s.lrs[None, :], s.epochs_sweep, s.T, s.record_every)


def critical_rate_scaling(s=TOY):
    """Empirical critical learning rate over a decade of ``T`` and its log-log slope."""
    T = np.geomspace(*s.scaling_T, s.n_scaling)
    alpha = np.asarray(toy.empirical_critical_learning_rate(T, s.critical_epochs, s.r0_factor,
                                                            s.critical_bracket))
    slope, _ = np.polyfit(np.log(T), np.log(alpha), 1)
    return T, alpha, float(slope)


# --- Rank-one RNNs: Figs. 3, S1 and 4 -----------------------------------------------------
# Histories are thinned (every ``record_every`` epochs) so that cached paper-scale results
# stay small.


def _snapshots(every, epochs):
    return np.arange(0, epochs + 1, every)


def _record(history, every):
    """Thin an ``(E, B)`` history to epochs ``0, every, 2 every, ...``."""
    return np.ascontiguousarray(history[::every])


def nudged_copies(params, copies, seed=0):
    """``copies`` copies of one network (``params`` with a network axis of length 1): copy 0
    unchanged, every other with one non-zero parameter, chosen at random, moved to the next
    representable number up or down. Rounding differs between implementations by that
    much; how far the copies' training histories part shows how much it matters. (A zero
    bias would move to a subnormal number that rounds away in ``m kappa + b``.)"""
    if params.batch_shape != (1,):
        raise ValueError(f"params must hold one network, got batch shape {params.batch_shape}")
    copies = positive_int("copies", copies)
    theta = np.repeat(params.flat(), copies, axis=0)                 # (copies, P)
    rng = np.random.default_rng(seed)
    which = rng.choice(np.flatnonzero(theta[0]), copies)
    up = rng.random(copies) < 0.5
    rows = np.arange(1, copies)
    theta[rows, which[1:]] = np.nextafter(theta[rows, which[1:]],
                                          np.where(up[1:], np.inf, -np.inf).astype(theta.dtype))
    return params.with_flat(theta)


def fig3_rounding(s):
    """How rounding decides Fig. 3B's fate: seed ``s.seed`` at ``s.lr_b`` in float64, with
    PyTorch autograd in float32 (another summation order), and as ``s.nudged_copies``
    one-ulp copies. Accuracy histories ``(epochs_b, runs)``."""
    from . import train

    init = rnn.init_rank_one([s.seed], dtype=np.dtype(s.dtype))
    wide = train.train_rank_one([s.seed], s.lr_b, s.epochs_b, c=s.c, dtype=np.float64, progress=False)
    autograd = train.train_reference(init, s.lr_b, s.epochs_b, c=s.c)
    nudged = train.train_rank_one(None, s.lr_b, s.epochs_b, c=s.c, progress=False,
                                  init=nudged_copies(init, s.nudged_copies, s.nudge_seed))
    return {"accuracy_b_float64": wide.accuracy[:, 0], "accuracy_b_autograd": autograd.accuracy[:, 0],
            "accuracy_b_nudged": nudged.accuracy}


def fig3(s, progress=None):
    """Fig. 3A and 3B: histories and parameter snapshots of seed ``s.seed``, and the rounding
    study of 3B (:func:`fig3_rounding`)."""
    from . import train  # compiled kernels load on first use, not on import of this module

    out = fig3_rounding(s)
    for tag, lr, epochs, every, snap in (("a", s.lr_a, s.epochs_a, s.record_every_a, s.snapshot_every_a),
                                         ("b", s.lr_b, s.epochs_b, 1, s.snapshot_every_b)):
        run = train.train_rank_one([s.seed], lr, epochs, c=s.c, dtype=np.dtype(s.dtype),
                                   snapshot_epochs=_snapshots(snap, epochs), progress=progress)
        out[f"loss_{tag}"] = _record(run.loss[:, 0], every)
        out[f"grad_norm_{tag}"] = _record(run.grad_norm[:, 0], every)
        out[f"accuracy_{tag}"] = _record(run.accuracy[:, 0], every)
        out[f"snapshot_epochs_{tag}"] = run.snapshot_epochs
        for name in ("m", "n", "b"):
            out[f"{name}_{tag}"] = getattr(run.snapshots, name)[:, 0]     # (S, N)
    return out


def figS1(s, progress=None):
    """Fig. S1: every (learning rate, seed) pair trained together; axes (lr, seed)."""
    from . import train

    lrs, seeds = np.repeat(s.lrs, s.seeds), np.tile(np.arange(s.seeds), s.n_lrs)
    run = train.train_rank_one(seeds.tolist(), lrs, s.epochs, c=s.c, dtype=np.dtype(s.dtype),
                               progress=progress)
    shape = (s.n_lrs, s.seeds)
    return {"lrs": s.lrs, "final_loss": run.loss[-1].reshape(shape),
            "loss": _record(run.loss, s.record_every).reshape((-1,) + shape)}


def fig4(s, progress=None):
    """Fig. 4: 100 networks at lr 0.02; the stuck ones retrained at 30 lower confidences
    (:func:`recovery`)."""
    from . import train

    seeds = list(range(s.seeds))
    run = train.train_rank_one(seeds, s.lr, s.epochs, c=s.c, dtype=np.dtype(s.dtype),
                               progress=progress)
    learned, stuck = analysis.ever_learned(run.accuracy), analysis.ended_stuck(run.accuracy, s.last)
    return {"accuracy": run.accuracy, "loss": _record(run.loss, s.record_every),
            "grad_norm": _record(run.grad_norm, s.record_every), "learned": learned,
            "stuck": stuck, "recovery_c": s.recovery_c,
            **recovery(run.params[np.flatnonzero(stuck)], s.recovery_c, s),
            **{f"final_{k}": v for k, v in run.params.arrays().items()},
            **fig4_rounding(s)}


def recovery(params, confidences, s):
    """Copies of ``params`` (``B`` networks) at every confidence ``c``, trained
    ``s.recovery_epochs`` more epochs at ``s.lr`` in one ensemble (the loss uses the new ``c``).
    Returns the loss and accuracy histories ``(c, epoch, B)`` and, after the last epoch,
    the accuracy (which does not depend on ``c``) and the loss back at ``s.c``, ``(c, B)``."""
    from . import train

    k, B = len(confidences), params.batch_shape[0]
    if not B:
        empty = np.empty((k, s.recovery_epochs, 0), np.dtype(s.dtype))
        return {"recovery_loss": empty, "recovery_accuracy": empty.astype(float),
                "recovery_final_accuracy": empty[:, 0].astype(float), "recovery_final_loss": empty[:, 0]}
    tiled = type(params)(**{f: np.tile(v, (k,) + (1,) * (v.ndim - 1)) for f, v in params.arrays().items()})
    again = train.train_rank_one(None, s.lr, s.recovery_epochs, c=np.repeat(confidences, B),
                                 init=tiled, progress=False)
    final_loss, final_acc = train.evaluate(again.params, c=s.c)
    return {"recovery_loss": again.loss.reshape(-1, k, B).transpose(1, 0, 2),
            "recovery_accuracy": again.accuracy.reshape(-1, k, B).transpose(1, 0, 2),
            "recovery_final_accuracy": final_acc.reshape(k, B),
            "recovery_final_loss": final_loss.reshape(k, B)}


def fig4_rounding(s):
    """How rounding changes Fig. 4's fates: the same networks trained in float64, and the
    first ``s.autograd_seeds`` of them in float32 by PyTorch autograd (the reference path:
    same arithmetic, another summation order). Running a network alone or in the ensemble
    changes nothing (the compiled trainer does the same operations either way; tested), so it
    is not a third arm."""
    from . import train

    seeds = list(range(s.seeds))
    wide = train.train_rank_one(seeds, s.lr, s.epochs, c=s.c, dtype=np.float64, progress=False)
    autograd = train.train_reference(rnn.init_rank_one(seeds[:s.autograd_seeds],
                                                       dtype=np.dtype(s.dtype)), s.lr, s.epochs, c=s.c)
    return {"learned_float64": analysis.ever_learned(wide.accuracy),
            "stuck_float64": analysis.ended_stuck(wide.accuracy, s.last),
            "learned_autograd": analysis.ever_learned(autograd.accuracy),
            "stuck_autograd": analysis.ended_stuck(autograd.accuracy, s.last)}


def log_epochs(epochs, n):
    """About ``n`` distinct epochs from 0 to ``epochs`` (inclusive), log-spaced after 0."""
    return np.unique(np.concatenate([[0], np.geomspace(1, epochs, n - 1).astype(np.int64)]))


def figS2(s, progress=None, partial=None, backend="cpu"):
    """Fig. S2: for each arm (rank ``K``, or ``"full"``) the recorded losses, axes
    ``(record, lr, seed)``, and the wall time; for the full-rank arm, the singular values of
    ``Delta W`` and the losses of its rank-R truncations at the snapshots. With ``partial``
    (a :class:`ghostbook.results.Partial`), finished arms are saved and reused; ``backend``
    as :func:`ghostbook.train.train_rank_k`'s."""
    from . import train

    lrs, seeds = np.repeat(s.lrs, s.seeds), np.tile(np.arange(s.seeds), len(s.lrs))
    shape = (len(s.lrs), s.seeds)
    records, snaps = log_epochs(s.epochs - 1, s.n_records), log_epochs(s.epochs, s.n_snapshots)
    out = {"lrs": s.lrs, "record_epochs": records, "snapshot_epochs": snaps}
    for arm in s.arms:
        piece = partial.get(arm) if partial is not None else None
        if piece is None:
            rank = "full" if arm == "full" else int(arm)
            tic = time.perf_counter()
            run = train.train_rank_k(seeds.tolist(), rank, lrs, s.epochs, record_epochs=records,
                                     snapshot_epochs=snaps if arm == "full" else None,
                                     dtype=np.dtype(s.dtype), progress=progress,
                                     backend=backend)
            piece = {f"seconds_{arm}": np.float64(time.perf_counter() - tic),
                     f"loss_{arm}": run.loss.reshape((-1,) + shape),
                     f"grad_norm_{arm}": run.grad_norm.reshape((-1,) + shape)}
            if arm == "full":
                piece.update(analysis.delta_w_analysis(run.snapshots, s.max_rank, shape))
            if partial is not None:
                partial.put(arm, piece)
        out.update(piece)
    return out




# --- Schuessler et al. 2020: linear networks (Figs. 3-4), nonlinear tasks (Figs. 1-2, 5) ---
# The companion paper's experiments, at the same two scales. ``linear`` trains every
# (g, z_hat, seed) linear network of Figs. 3-4 on Schuessler Eq. 5's readout; ``flipflop``,
# ``mante`` and ``romo`` train the nonlinear networks of Figs. 1-2 on one task each and
# measure them; ``norm_scaling`` and ``lstm`` are the supplementary's N scaling and Fig. 5.


def linear_figs(s, progress=None):
    """Figs. 3-4 of Schuessler et al.: histories and end-of-training measures of every
    network, axes ``(g, z_hat, seed)``; ``z_trial`` is the finite trial after training."""
    from . import linear

    shape = (len(s.gs), len(s.z_hats), s.seeds)
    steps = int(round(s.T / s.dt))
    out = {"loss": np.empty(shape + (s.epochs + 1,)), "grad_norm": np.empty(shape + (s.epochs + 1,)),
           "sv": np.empty(shape + (s.epochs // s.record_every + 1, s.n_sv)),
           "delta_norm": np.empty(shape), "shuffled_loss": np.empty(shape),
           "z_inf": np.empty(shape), "z_trial": np.empty(shape + (steps + 1,)),
           "lr": np.array([[s.lr(g, b) for b in s.base_lrs] for g in s.gs])}
    with progress_bar(progress, int(np.prod(shape)), "net") as bar:
        for index in np.ndindex(*shape):
            i, j, seed = index
            net = linear.init(s.N, s.gs[i], seed)
            z_hat = s.z_hats[j]
            run = linear.train(net, z_hat, out["lr"][i, j], s.epochs, s.n_sv, s.record_every)
            shuffled = linear.shuffle(net.W0, s.shuffle_seed + seed) + run.delta_W
            out["loss"][index], out["grad_norm"][index], out["sv"][index] = run.loss, run.grad_norm, run.sv
            out["delta_norm"][index] = np.linalg.norm(run.delta_W)
            out["shuffled_loss"][index] = linear.loss(shuffled, net.m, net.w, z_hat)
            out["z_inf"][index] = linear.readout(run.W, net.m, net.w)
            out["z_trial"][index] = linear.simulate(run.W, net.m, net.w, s.T, s.dt, s.t_on)[1]
            bar.update()
    out["sv_epochs"] = np.arange(0, s.epochs + 1, s.record_every)
    return out


def nonlinear_fig(s, progress=None, partial=None):
    """Schuessler Figs. 1-2 on one task (``s.task``): every ``(g, seed)`` network trained
    together (:func:`ghostbook.nonlinear.train_networks`), then measured as the authors
    measure them. Axes ``(g, sample)``; ``truncated_loss`` has one column per entry of
    ``ranks``: ``R = 0 .. max_rank``, then ``N`` (the trained network, on its own fresh
    test batch). With ``partial``, training checkpoints every few minutes and an
    interrupted run resumes."""
    import torch

    from . import nonlinear

    nets = [(g, k) for g in s.gs for k in range(s.samples)]
    shape = (len(s.gs), s.samples)
    save = (lambda state: partial.put("training", state)) if partial is not None else None
    resume = partial.get("training") if partial is not None else None
    run = nonlinear.train_networks(s.task, nets, s.epochs, s.N, s.lr_N, s.batch, progress,
                                   resume=resume, save=save)
    ranks = np.append(np.arange(s.max_rank + 1), s.N)              # R = N: the full Delta W
    truncated = nonlinear.truncation_losses(run, ranks, s.test_batch, relative=False)
    sv = lowrank.singular_values(run.delta_W)                        # (networks, N)
    out = {"loss": run.loss.T.reshape(shape + (s.epochs,)),
           "grad_norm": run.grad_norm.T.reshape(shape + (s.epochs,)),
           "truncated_loss": truncated.T.reshape(shape + (len(ranks),)),
           "ranks": ranks,
           "sv_delta": sv[:, :s.max_rank + 1].reshape(shape + (s.max_rank + 1,)),
           "delta_norm": np.linalg.norm(run.delta_W, axis=(1, 2)).reshape(shape),
           "shuffled_loss": nonlinear.shuffled_losses(run, s.test_batch).reshape(shape)}
    example = np.flatnonzero(run.seeds == s.example_seed)            # one network per g
    spectra = [[nonlinear.spectra(m) for m in (run.W0[k], run.W[k], run.delta_W[k])]
               for k in example]
    out["spectra_sv"] = np.array([[sv for sv, _ in per] for per in spectra])     # (g, 3, N)
    eig = np.array([[ev for _, ev in per] for per in spectra])
    out["spectra_eig_re"], out["spectra_eig_im"] = eig.real, eig.imag
    u, z_hat, mask = nonlinear.trials(s.task, 1, np.random.default_rng(s.example_seed))
    out["example_u"], out["example_z_hat"], out["example_mask"] = u[0], z_hat[0], mask[0]
    sub = run.select(example)
    with torch.no_grad():
        z = nonlinear.forward(*(torch.from_numpy(w) for w in (sub.W_in, sub.W, sub.W_out)),
                              torch.from_numpy(u).expand(len(example), *u.shape), s.task.dt)
    out["example_z"] = z[:, 0].numpy()
    out["train_seconds"] = np.array(run.wall_time)
    return out


def norm_scaling(s, progress=None, partial=None):
    """Schuessler's supplementary on network size: ``||Delta W||`` after training, axes
    ``(N, g, sample)``, with the final training loss beside it. With ``partial``, each
    finished size is kept and the size in training checkpoints every few minutes, so an
    interrupted paper-scale run resumes where it stopped."""
    from . import nonlinear

    shape = (len(s.Ns), len(s.gs), s.samples)
    names = ("delta_norm", "final_loss", "first_loss")
    out = {name: np.empty(shape) for name in names}
    nets = [(g, k) for g in s.gs for k in range(s.samples)]
    with progress_bar(progress, len(s.Ns), "size") as bar:
        for i, N in enumerate(s.Ns):
            done = partial.get(f"N{N}") if partial is not None else None
            if done is None:
                save = resume = None
                if partial is not None:
                    save = lambda state, N=N: partial.put(f"training{N}", state)  # noqa: E731
                    resume = partial.get(f"training{N}")
                run = nonlinear.train_networks(s.task, nets, s.epochs, N, s.lr_N, s.batch,
                                               False, resume=resume, save=save)
                done = {"delta_norm": np.linalg.norm(run.delta_W, axis=(1, 2)),
                        "final_loss": run.loss[-1], "first_loss": run.loss[0]}
                if partial is not None:
                    partial.put(f"N{N}", done)
            for name in names:
                out[name][i] = np.asarray(done[name]).reshape(shape[1:])
            bar.update()
    return out


def lstm_fig(s, progress=None):
    """Schuessler Fig. 5 on the package's stand-in for SST (:func:`ghostbook.lstm.lstm_fig`)."""
    from . import lstm

    return lstm.lstm_fig(s, progress)


def memory_fig(s, progress=None, partial=None):
    """Later version, Figs. 4-5: one network (``s.seed``) trained on a working-memory task as
    the authors trained it (:func:`ghostbook.memory.train`). Returns its curves ``loss``,
    ``grad_norm``, ``accuracy`` ``(epochs,)``, its parameters at the start (``init_*``), at
    ``snapshot_epochs`` (``snap_*``, one row per snapshot) and at the end (``final_*``), and
    the training's wall time. With ``partial``, training checkpoints every few minutes."""
    from . import memory

    save = (lambda state: partial.put("training", state)) if partial is not None else None
    resume = partial.get("training") if partial is not None else None
    _one_thread()
    tic = time.perf_counter()
    run = memory.train(s.task, [s.seed], [s.lr], s.epochs, rank=s.rank, optimizer=s.optimizer,
                       N=s.N, alpha=s.alpha, trials=s.trials, noise=s.noise, spread=s.spread,
                       bias_std=s.bias_std, extra_forward_every=s.extra_forward_every,
                       snapshots=s.snapshot_epochs, progress=progress, resume=resume, save=save)
    out = {name: getattr(run, name)[:, 0, 0] for name in ("loss", "grad_norm", "accuracy")}
    for k in run.initial:
        out[f"init_{k}"] = run.initial[k][0, 0]
        out[f"final_{k}"] = run.final[k][0, 0]
        out[f"snap_{k}"] = np.stack([run.snapshots[e][k][0, 0] for e in s.snapshot_epochs])
    out["snapshot_epochs"] = np.array(s.snapshot_epochs)
    out["train_seconds"] = np.array(time.perf_counter() - tic)
    return out


# --- Learning collapse (later version, Figs. 6A, 7 and 8) ---------------------------------------


def fig6a(s, progress=None, partial=None, backend="cpu"):
    """Later version, Fig. 6A: Fig. S1's sweep with a full-rank ``W`` (the 2024 trial, SGD);
    curves every ``record_every`` epochs, axes ``(record, lr, seed)``. Resumable; ``backend``
    as :func:`ghostbook.train.train_rank_k`'s."""
    from . import memory

    save = (lambda state: partial.put("training", state)) if partial is not None else None
    resume = partial.get("training") if partial is not None else None
    run = memory.train("activation", np.arange(s.seeds), s.lrs, s.epochs,
                       record_every=s.record_every, progress=progress, resume=resume,
                       save=save, backend=backend)
    return {"lrs": s.lrs, "record_epochs": run.record_epochs, "loss": run.loss,
            "grad_norm": run.grad_norm, "accuracy": run.accuracy}


def collapse(s, progress=None, partial=None):
    """Later version, Fig. 7: full-rank networks on ``s.task`` for every (learning rate,
    seed), SGD from rates 0, no noise. Returns per run (axes ``(lr, seed)``) the time-averaged
    loss and gradient norm (the authors' box plots), the fate
    (:func:`ghostbook.analysis.collapse_fates`, from every epoch), the final ``||W||`` and
    the fraction of saturated rates (``|r| > 0.99``) on the final network; the curves every
    ``record_every`` epochs; one run of each fate at every epoch (``example_*``, run
    ``example_run`` = (lr index, seed), -1 where no run has that fate); and, with
    ``s.saturation = (lr index, seed, e)``, that run's rates and outputs in the forward passes
    of epochs ``e, e + 1, e + 2`` (the authors' saturation analysis)."""
    from . import memory

    save = (lambda state: partial.put("training", state)) if partial is not None else None
    resume = partial.get("training") if partial is not None else None
    _one_thread()
    seeds = np.arange(s.seeds)
    kw = dict(rank=None, optimizer="sgd", trials=1, noise=0.0, spread=0.0)
    run = memory.train(s.task, seeds, s.lrs, s.epochs, progress=progress, resume=resume,
                       save=save, **kw)
    fates = analysis.collapse_fates(run.loss, run.grad_norm, learned_below=s.learned_below,
                                    window=s.window, vanish_below=s.vanish_below,
                                    oscillate_above=s.oscillate_above)
    out = {"lrs": s.lrs, "seeds": seeds, "fates": fates,
           "mean_loss": run.loss.mean(axis=0), "mean_grad_norm": run.grad_norm.mean(axis=0),
           "record_epochs": np.arange(0, s.epochs, s.record_every),
           "W_norm": np.linalg.norm(run.final["W"], axis=(-2, -1)),
           "saturated": _saturated(run.final, s.task)}
    for k in ("loss", "grad_norm", "accuracy"):
        out[k] = np.ascontiguousarray(getattr(run, k)[::s.record_every])
    where = np.full((len(analysis.COLLAPSE_FATES), 2), -1)
    example = {k: np.full((len(analysis.COLLAPSE_FATES), s.epochs), np.nan, np.float32)
               for k in ("loss", "grad_norm", "accuracy")}
    for code in range(len(analysis.COLLAPSE_FATES)):
        hits = np.argwhere(fates == code)
        if hits.size:
            i, j = hits[len(hits) // 2]             # a middle one, not the edge case
            where[code] = i, j
            for k in example:
                example[k][code] = getattr(run, k)[:, i, j]
    out["example_run"] = where
    out.update({f"example_{k}": v for k, v in example.items()})
    if s.saturation is not None:
        out.update(saturation_rates(s))
    return out


def _one_thread():
    """One torch thread for the small matrices of the memory networks (threads only add
    overhead there)."""
    import torch

    torch.set_num_threads(1)


def _saturated(params, task, level=0.99):
    """Fraction of rates with ``|r| > level`` over every trial and step of the trial batch,
    for each network of ``params`` (arrays ``(L, S, ...)``)."""
    import torch

    from . import memory

    L, S = params["b"].shape[:2]
    p = {k: torch.from_numpy(np.ascontiguousarray(v.reshape(L * S, *v.shape[2:])))
         for k, v in params.items()}
    u, _ = memory.trial_batch(task, 1)
    with torch.no_grad():
        _, rates = memory.forward(p, u, task.readout, 0.5)
    return (rates[:, :, 1:].abs() > level).float().mean(dim=(1, 2, 3)).numpy().reshape(L, S)


def saturation_rates(s):
    """The authors' saturation analysis (later version, Fig. 7): network ``seed`` at
    learning rate index ``lr_index`` of ``s``'s full grid, trained alone to epoch ``e + 2``;
    its rates ``(3, B, steps + 1, N)`` and outputs ``(3, B, steps)`` in the forward passes of
    epochs ``e, e + 1, e + 2``, with its loss and gradient norm at every epoch."""
    from . import memory

    i, seed, e = s.saturation
    lr = float(s.grid[i])
    run = memory.train(s.task, [seed], [lr], e + 3, snapshots=(e - 1, e, e + 1),
                       progress=False)
    outs, rates = zip(*(memory.simulate({k: v[0, 0] for k, v in run.snapshots[k].items()},
                                        s.task) for k in (e - 1, e, e + 1)))
    return {"sat_lr": np.array(lr), "sat_epochs": np.array([e, e + 1, e + 2]),
            "sat_rates": np.stack(rates), "sat_out": np.stack(outs),
            "sat_loss": run.loss[:, 0, 0], "sat_grad_norm": run.grad_norm[:, 0, 0]}


def confidence(s, progress=None, partial=None):
    """Later version, Fig. 8C: ``s.seeds`` full-rank DCDT networks trained by Adam for
    ``epochs_before`` epochs (once), then each copy at every confidence of
    ``s.confidences`` for ``epochs_after`` more (:func:`ghostbook.memory.branch`). Curves every
    ``record_every`` epochs, axes ``(record, confidence, seed)``, and the final
    ``||W_out||_1``."""
    from . import memory

    _one_thread()
    seeds, C = np.arange(s.seeds), len(s.confidences)
    total = s.epochs_before + s.epochs_after
    kw = dict(rank=None, optimizer="adam", trials=s.trials, noise=s.noise, spread=s.spread,
              record_every=s.record_every)
    first = partial.get("first") if partial is not None else None
    if first is None or int(first["epoch"]) < s.epochs_before:
        held = {}

        def keep(state):
            held["state"] = state
            if partial is not None:
                partial.put("first", state)
        memory.train(s.task, seeds, [s.lr], s.epochs_before, resume=first, save=keep,
                     progress=progress, **kw)
        first = held["state"]
    second = partial.get("second") if partial is not None else None
    resume = second if second is not None else memory.branch(first, C, total, s.record_every)
    save = (lambda state: partial.put("second", state)) if partial is not None else None
    run = memory.train(s.task, seeds, [s.lr] * C, total, confidence=list(s.confidences),
                       confidence_from=s.epochs_before, resume=resume, save=save,
                       progress=progress, **kw)
    return {"confidences": np.array(s.confidences), "record_epochs": run.record_epochs,
            "loss": run.loss, "grad_norm": run.grad_norm, "accuracy": run.accuracy,
            "w_out_l1": np.abs(run.final["w_out"]).sum(axis=-1)}


def learnable_confidence(s, progress=None):
    """The 2024 text's "data not shown" run: a rank-one network with a trained confidence,
    from ``c_start`` for ``epochs_before`` epochs, then from ``c_reset`` for ``epochs_after``
    (:func:`ghostbook.train.train_learnable_confidence`). Curves of both phases end to end,
    and the latent circuit ``(m, n, b)`` at the start, at the switch and at the end."""
    from . import train

    first, c1 = train.train_learnable_confidence([s.seed], s.lr, s.epochs_before, c=s.c_start,
                                                 snapshot_epochs=[0], progress=progress)
    second, c2 = train.train_learnable_confidence(None, s.lr, s.epochs_after, c=s.c_reset,
                                                  init=first.params, progress=progress)
    out = {name: np.concatenate([getattr(first, name)[:, 0], getattr(second, name)[:, 0]])
           for name in ("loss", "grad_norm", "accuracy")}
    out["c"] = np.concatenate([c1[:, 0], c2[:, 0]])
    out["c_final"] = np.array([first.c[0], second.c[0]])
    for tag, params in (("start", first.at(0)), ("switch", first.params), ("end", second.params)):
        for k, v in params.arrays().items():
            out[f"{tag}_{k}"] = v[0]
    return out


COMPUTE = {"fig3": fig3, "figS1": figS1, "fig4": fig4, "figS2": figS2, "linear": linear_figs,
           "flipflop": nonlinear_fig, "mante": nonlinear_fig, "romo": nonlinear_fig,
           "norm_scaling": norm_scaling, "lstm": lstm_fig, "rank2_dcdt": memory_fig,
           "rank2_dmts": memory_fig, "fullrank_dcdt": memory_fig, "fullrank_dmts": memory_fig,
           "fig6a": fig6a, "collapse_dcdt": collapse, "collapse_dmts": collapse,
           "confidence": confidence, "learnable_confidence": learnable_confidence}
"""The figures the CLI and :func:`load_or_compute` compute, by name (``SCALES``' keys)."""


def reproduce(name, scale="quick", progress=None, save=True, backend="cpu"):
    """Compute figure ``name`` at ``scale``; with ``save``, cache it as ``results/NAME-SCALE``.
    ``backend="cuda"``: the figures trained by the compiled trainer (those whose function
    takes ``backend``) train on the GPU; the cache's metadata names the device."""
    if name not in COMPUTE:
        raise ValueError(f"name must be one of {sorted(COMPUTE)}, got {name!r}")
    if scale not in SCALES[name]:
        raise ValueError(f"scale must be one of {sorted(SCALES[name])}, got {scale!r}")
    settings = SCALES[name][scale]
    kwargs, device = {}, "cpu"
    if backend != "cpu":
        if "backend" not in inspect.signature(COMPUTE[name]).parameters:
            on = sorted(k for k, f in COMPUTE.items() if "backend" in inspect.signature(f).parameters)
            raise ValueError(f"backend {backend!r} trains only {on}, not {name!r}")
        from . import cuda_kernels, train

        if backend not in train.BACKENDS:
            raise ValueError(f"backend must be one of {train.BACKENDS}, got {backend!r}")
        kwargs["backend"] = backend
        device = cuda_kernels.device_name() if cuda_kernels.available() else backend
    partial = None
    if save and "partial" in inspect.signature(COMPUTE[name]).parameters:
        partial = kwargs["partial"] = results.Partial(f"{name}-{scale}", settings)
    tic = time.perf_counter()
    arrays = COMPUTE[name](settings, progress=progress, **kwargs)
    wall = partial.elapsed() if partial is not None else time.perf_counter() - tic
    segments = partial.segments if partial is not None else 1
    meta = {"settings": results.canonical(settings), "wall_time_s": wall, "device": device,
            "segments": segments}
    if save:
        meta = results.save(f"{name}-{scale}", arrays, settings, wall, device=device,
                            segments=segments)
        if partial is not None:
            partial.clear()
    return arrays, meta


def load_or_compute(name, progress=None):
    """A chapter's entry point: the cached paper-scale result if it is fresh, else the quick
    scale computed now (and not saved). Returns ``(arrays, scale, metadata)``."""
    cached = results.load(f"{name}-paper", SCALES[name]["paper"])
    if cached is not None:
        return cached[0], "paper", cached[1]
    arrays, meta = reproduce(name, "quick", progress=progress, save=False)
    return arrays, "quick", meta
