"""The digits task: scikit-learn's bundled 8 x 8 digits with a fixed stratified split."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from hwsim.errors import SpecError, one_of

FEATURE_SCALE = 1.0 / 16.0  # pixels are integers 0..16; features are pixel * FEATURE_SCALE in [0, 1]
DATA_DIR = Path(__file__).resolve().parent / "data"
BUNDLED_MODELS = ("digits_snn", "digits_mlp")


def bundled_model_path(name: str) -> Path:
    """Return the path of a bundled digits model (load it with :func:`hwsim.ir.load_graph`).

    Parameters
    ----------
    name : str
        One of :data:`BUNDLED_MODELS`.

    Returns
    -------
    Path
        ``DATA_DIR / (name + ".npz")``.
    """
    if name not in BUNDLED_MODELS:
        raise SpecError(f"bundled model '{name}': unknown; {one_of(name, BUNDLED_MODELS)}")
    return DATA_DIR / f"{name}.npz"


def load_digits_split(test_fraction: float = 0.2, seed: int = 0
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Load ``sklearn.datasets.load_digits`` and split it into train and test sets.

    The split is stratified by class and fixed by ``seed``; no download is needed.

    Parameters
    ----------
    test_fraction : float
        Fraction of the 1797 samples held out for testing, in (0, 1).
    seed : int
        Seed of the shuffle before splitting.

    Returns
    -------
    x_train : ndarray
        float64 ``(n_train, 64)``, pixel intensity / 16, dimensionless in [0, 1].
    y_train : ndarray
        int64 ``(n_train,)`` class labels 0..9.
    x_test : ndarray
        float64 ``(n_test, 64)``, as ``x_train``.
    y_test : ndarray
        int64 ``(n_test,)`` class labels 0..9.
    """
    if not (isinstance(test_fraction, (int, float)) and 0.0 < test_fraction < 1.0):
        raise SpecError(f"load_digits_split: test_fraction={test_fraction!r}; expected a number in (0, 1).")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise SpecError(f"load_digits_split: seed={seed!r}; expected an integer.")
    digits = load_digits()
    x = digits.data.astype(np.float64) * FEATURE_SCALE
    y = digits.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=test_fraction, random_state=int(seed), stratify=y)
    return x_train, y_train, x_test, y_test
