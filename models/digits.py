"""The digits task: scikit-learn's bundled 8 x 8 digits with a fixed stratified split.

Importing scikit-learn takes about 2 s, longer than the whole default job, so the default split
(20 % test, seed 0) reads the digits from the CSV file scikit-learn ships and takes the split's
sample order from ``data/digits_split.npz``, which :func:`sklearn_split` wrote
(``python -m hwsim.models.digits`` rewrites it); a test checks that both equal scikit-learn's own
``load_digits`` and ``train_test_split``. Other splits call scikit-learn.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from hwsim.errors import SpecError, one_of

FEATURE_SCALE = 1.0 / 16.0  # pixels are integers 0..16; features are pixel * FEATURE_SCALE in [0, 1]
DATA_DIR = Path(__file__).resolve().parent / "data"
BUNDLED_MODELS = ("digits_snn", "digits_mlp")
DEFAULT_SPLIT = (0.2, 0)    # (test_fraction, seed) stored in SPLIT_FILE
SPLIT_FILE = DATA_DIR / "digits_split.npz"


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
    pixels, y = digits_data()
    x = pixels * FEATURE_SCALE
    if (float(test_fraction), int(seed)) == DEFAULT_SPLIT and SPLIT_FILE.is_file():
        with np.load(SPLIT_FILE) as stored:
            train, test = stored["train"], stored["test"]
    else:
        train, test = sklearn_split(y, test_fraction, int(seed))
    return x[train], y[train], x[test], y[test]


def digits_data() -> tuple[np.ndarray, np.ndarray]:
    """``load_digits()``'s ``data`` (float64 pixels 0..16, ``(1797, 64)``) and ``target`` (int64): read from
    the CSV scikit-learn ships, as its loader reads it, without importing scikit-learn."""
    spec = importlib.util.find_spec("sklearn")
    csv = Path(spec.submodule_search_locations[0]) / "datasets" / "data" / "digits.csv.gz" if spec else None
    if csv is not None and csv.is_file():
        table = np.loadtxt(csv, delimiter=",")
        return table[:, :-1], table[:, -1].astype(np.int64)
    from sklearn.datasets import load_digits
    digits = load_digits()
    return digits.data.astype(np.float64), digits.target.astype(np.int64)


def sklearn_split(y: np.ndarray, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Train and test sample indices of scikit-learn's stratified ``train_test_split``, in its order."""
    from sklearn.model_selection import train_test_split
    train, test = train_test_split(np.arange(y.size), test_size=test_fraction, random_state=seed, stratify=y)
    return train.astype(np.int64), test.astype(np.int64)


def write_default_split(path: Path = SPLIT_FILE) -> Path:
    """Store the default split's indices (computed by scikit-learn) in ``path``."""
    _, y = digits_data()
    train, test = sklearn_split(y, *DEFAULT_SPLIT)
    np.savez(path, train=train, test=test)
    return path


if __name__ == "__main__":
    print(f"wrote {write_default_split()}")
