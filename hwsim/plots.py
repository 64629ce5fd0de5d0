"""Plots of one run, to PNG files: where the energy goes, how full each core is, and what the network did.

* :func:`plot_energy`: energy per inference by action (dynamic, stacked) beside static energy.
* :func:`plot_utilisation`: per-core use of each capacity limit (neurons, synapse memory, fan-in,
  fan-out) as a fraction of the limit, as heatmaps over the chip's core mesh.
* :func:`plot_activity`: spike rasters of the first samples per layer, and firing rate per layer.
* :func:`plot_run`: all three for one run, named ``<model>_<chip>_<what>.png``.

matplotlib runs headless (Agg); nothing is shown on screen.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from hwsim.chips import ChipProfile
from hwsim.report import Report

#: The per-core limits drawn by :func:`plot_utilisation`.
CORE_LIMITS = ("neurons_per_core", "synapse_memory_bits_per_core", "fan_in_per_core", "fan_out_per_core")
#: Meshes above this many cores are not drawn cell by cell.
MAX_DRAWN_CORES = 65_536


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    _pyplot().close(fig)
    return path


def plot_energy(report: Report, path: str | Path) -> Path:
    """Energy per inference: one bar of dynamic energy stacked by action, one of static energy (uJ)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    dynamic = {k: v for k, v in report.energy_by_action_uj.items() if k != "static" and v > 0}
    left = 0.0
    for action, value in sorted(dynamic.items(), key=lambda item: -item[1]):
        ax.barh("dynamic", value, left=left, label=f"{action} {value:.3g}")
        left += value
    ax.barh("static", report.static_energy_per_inference_uj, color="0.6",
            label=f"static {report.static_energy_per_inference_uj:.3g}")
    ax.set_xlabel("energy per inference (uJ)")
    ax.set_title(f"{report.model} on {report.chip}: {report.energy_per_inference_uj:.4g} uJ per inference")
    ax.legend(fontsize=7, loc="best")
    return _save(fig, Path(path))


def plot_utilisation(report: Report, chip: ChipProfile, path: str | Path) -> Path | None:
    """Heatmaps over the core mesh of each core's use of each limit (fraction of the capacity); None when the
    run has no cores (MAC circuits) or the mesh is too large to draw."""
    topology = chip.topology
    if not report.core_use or topology.n_cores > MAX_DRAWN_CORES:
        return None
    xy = np.array([topology.core_xy(c) for c in range(topology.n_cores)])
    width, height = xy.max(axis=0) + 1
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(CORE_LIMITS), figsize=(3.2 * len(CORE_LIMITS), 3.2), squeeze=False)
    for ax, limit in zip(axes[0], CORE_LIMITS):
        capacity = getattr(chip.capacity, limit)
        grid = np.full((height, width), np.nan)
        for core, use in report.core_use.items():
            x, y = xy[int(core)]
            grid[y, x] = use[limit] / capacity if capacity else 0.0
        image = ax.imshow(grid, vmin=0.0, vmax=1.0, cmap="viridis", origin="lower", interpolation="nearest")
        ax.set_title(f"{limit}\n(capacity {capacity:,})", fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(image, ax=axes[0].tolist(), shrink=0.8, label="fraction used")
    fig.suptitle(f"{report.model} on {report.chip}: {report.cores_used} of {topology.n_cores} cores used "
                 f"(blank: unused)", fontsize=9)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_activity(spikes: dict[str, np.ndarray], title: str, path: str | Path, n_samples: int = 3) -> Path:
    """Spike rasters of the first ``n_samples`` samples (one after another) for each layer, and each layer's
    firing rate (spikes per neuron per step, over all samples). ``spikes``: ``{layer: (samples, steps,
    neurons)}`` as :attr:`hwsim.pipeline.RunResult.recorded` holds them."""
    plt = _pyplot()
    layers = list(spikes)
    fig, axes = plt.subplots(len(layers) + 1, 1, figsize=(7.0, 1.6 * len(layers) + 2.0), squeeze=False)
    for ax, layer in zip(axes[:, 0], layers):
        raster = np.asarray(spikes[layer][:n_samples])
        shown = raster.reshape(-1, raster.shape[-1])         # samples one after another in time
        steps, neurons = np.nonzero(shown)
        ax.scatter(steps, neurons, s=1.5, marker="|", color="k")
        for boundary in range(1, raster.shape[0]):
            ax.axvline(boundary * raster.shape[1] - 0.5, color="0.7", lw=0.8)
        ax.set_xlim(-0.5, shown.shape[0] - 0.5)
        ax.set_ylim(-0.5, raster.shape[-1] - 0.5)
        ax.set_ylabel(f"{layer}\nneuron", fontsize=8)
    axes[-2, 0].set_xlabel(f"step (first {min(n_samples, len(next(iter(spikes.values()))))} samples)")
    rates = [float(np.mean(spikes[layer])) for layer in layers]
    axes[-1, 0].bar(layers, rates, color="C0")
    axes[-1, 0].set_ylabel("spikes per\nneuron per step", fontsize=8)
    fig.suptitle(title, fontsize=9)
    return _save(fig, Path(path))


def plot_run(report: Report, chip: ChipProfile, spikes: dict | None, out_dir: str | Path) -> list[Path]:
    """Every plot of one run in ``out_dir``; returns the files written."""
    stem = Path(out_dir) / f"{report.model}_{report.chip}"
    written = [plot_energy(report, f"{stem}_energy.png")]
    utilisation = plot_utilisation(report, chip, f"{stem}_cores.png")
    if utilisation is not None:
        written.append(utilisation)
    if spikes:
        written.append(plot_activity(spikes, f"{report.model} on {report.chip}", f"{stem}_activity.png"))
    return written
