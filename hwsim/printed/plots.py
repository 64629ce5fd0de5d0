"""Pareto-front figure of a printed-MLP search (matplotlib, Agg backend, PNG)."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def plot_front(result, path: str | Path) -> Path:
    """Test accuracy vs area (left) and vs power (right) of every design; the front and the battery marked.

    Parameters
    ----------
    result : hwsim.printed.search.SearchResult
        A finished search.
    path : str or Path
        The PNG to write.
    """
    designs, front, base = result.designs, result.front, result.baseline
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.4), dpi=90)
    for ax, key, label in ((axes[0], "area_cm2", "area (cm2)"), (axes[1], "power_mw", "power (mW)")):
        ok = [d for d in designs if d.within_battery]
        over = [d for d in designs if not d.within_battery]
        ax.scatter([getattr(d, key) for d in over], [100 * d.test_accuracy for d in over], s=8, c="0.7",
                   label="over battery")
        ax.scatter([getattr(d, key) for d in ok], [100 * d.test_accuracy for d in ok], s=8, c="tab:green",
                   label="within battery")
        ax.plot([getattr(d, key) for d in front], [100 * d.test_accuracy for d in front], "o-", c="tab:blue",
                ms=4, label="Pareto front (training accuracy vs area)")
        ax.scatter([getattr(base, key)], [100 * base.test_accuracy], marker="*", s=120, c="k", label="exact 8-bit")
        ax.axhline(100 * (base.test_accuracy - 0.02), ls=":", c="k", lw=0.8)
        ax.set_xscale("log")
        ax.set_xlabel(label)
        ax.set_ylabel("test accuracy (%)")
    axes[1].axvline(result.battery_power_mw, ls="--", c="tab:red", label=f"battery {result.battery_power_mw:g} mW")
    handles, labels = axes[1].get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=8, loc="lower center", ncol=5, frameon=False)
    fig.suptitle(f"{result.task} on {result.chip}: {len(designs)} designs (seed {result.seed}"
                 f"{', ADCs included' if result.adc else ', logic only'}); dotted: exact - 2 %")
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    path = Path(path)
    fig.savefig(path)
    plt.close(fig)
    return path
