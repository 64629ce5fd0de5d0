"""Train small MLPs for the printed (EGFET) profile on scikit-learn's bundled datasets.

Run ``python -m hwsim.models.train_printed [--task breast_cancer] [--seed N] [--out DIR]``;
each model takes a few seconds on two cores and is fully determined by the seed. Every task
is one of scikit-learn's bundled datasets (no download), split 80/20 stratified with seed 0;
features are min-max scaled to [0, 1] with the training split's range (test values clipped),
the full scale of the profile's input ADCs.

The topologies are those of the printed-MLP papers where they publish one (breast cancer:
30-3-2, Afentaki et al. ICCAD'23 code setup, hidden size 3) and small one-hidden-layer
MLPs otherwise (wine 13-3-3, iris 4-3-3). Training is scikit-learn's ``MLPClassifier``
(ReLU, Adam, L2 1e-3, seeded). ``digits`` is hwsim's bundled ``digits_mlp`` (64-10-10,
:mod:`hwsim.models.train_digits`). The written graph is ``Input(value) -> relu hidden ->
identity output -> value readout``, saved with :func:`hwsim.ir.save_graph` as
``<task>_mlp.npz``.
"""
from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hwsim.errors import SpecError, one_of
from hwsim.ir import Graph, load_graph, save_graph

DATA_DIR = Path(__file__).resolve().parent / "data"
TEST_FRACTION = 0.2
SPLIT_SEED = 0


@dataclass(frozen=True)
class PrintedTask:
    """A scikit-learn dataset and the MLP topology trained on it.

    Attributes
    ----------
    loader : str
        The ``sklearn.datasets`` function that loads it (scikit-learn is imported only when a task is
        loaded or trained, so the default job, which reads the bundled models, does not pay for it).
    hidden : int
        Hidden ReLU neurons.
    topology_source : str
        Where the topology comes from.
    """

    loader: str
    hidden: int
    topology_source: str


TASKS: dict[str, PrintedTask] = {
    "breast_cancer": PrintedTask("load_breast_cancer", 3,
                                 "Afentaki et al. ICCAD'23 code setup: hidden size 3 for breast cancer"),
    "wine": PrintedTask("load_wine", 3, "estimate: the 3-hidden size of the printed papers' small datasets"),
    "iris": PrintedTask("load_iris", 3, "estimate: the 3-hidden size of the printed papers' small datasets"),
}
#: Every task the printed tools accept (``digits`` uses the bundled digits MLP).
TASK_NAMES = ("breast_cancer", "digits", "iris", "wine")


def load_task(task: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(x_train, y_train, x_test, y_test)`` of ``task``, features in [0, 1] (module doc)."""
    if task not in TASK_NAMES:
        raise SpecError(f"printed task '{task}': unknown; {one_of(task, TASK_NAMES)}")
    if task == "digits":
        from hwsim.models.digits import load_digits_split

        return load_digits_split(TEST_FRACTION, SPLIT_SEED)
    from sklearn import datasets

    data = getattr(datasets, TASKS[task].loader)()
    return _split_and_scale(data.data.astype(np.float64), data.target.astype(np.int64))


def load_user_data(path: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A user's dataset as ``(x_train, y_train, x_test, y_test)``, features in [0, 1] as the bundled tasks'.

    ``.npz``: arrays ``x`` (samples x features) and ``y`` (class indices), split 80/20 stratified (seed 0),
    or also ``x_test`` and ``y_test`` to keep the user's own split. ``.csv``: one sample per row, the class in
    the last column, an optional header row. Features are min-max scaled by the training rows' range.
    """
    from hwsim.errors import cut
    from hwsim.npz import NpzReader

    where = f"--data {cut(path)}"
    expected = "an .npz with 'x' and 'y' (optionally 'x_test', 'y_test') or a .csv with the class in the last column"
    if str(path).lower().endswith(".csv"):
        try:
            table = np.genfromtxt(path, delimiter=",", dtype=np.float64)
        except (OSError, ValueError) as exc:
            raise SpecError(f"{where}: not readable ({cut(exc, 100)}); expected {expected}.") from None
        table = np.atleast_2d(table)
        if table.shape[0] > 1 and np.isnan(table[0]).any():
            table = table[1:]                                    # a header row
        if table.ndim != 2 or table.shape[1] < 2 or not np.isfinite(table).all():
            raise SpecError(f"{where}: a table of shape {table.shape} with non-numbers; expected {expected}.")
        arrays = {"x": table[:, :-1], "y": table[:, -1]}
    else:
        with NpzReader(path, SpecError, expected, label="--data ") as data:
            missing = [k for k in ("x", "y") if k not in data]
            if missing:
                raise SpecError(f"{where}: no array {missing[0]!r}; expected {expected}.")
            arrays = {k: data[k].astype(np.float64) for k in ("x", "y", "x_test", "y_test") if k in data}
    x, y = arrays["x"], arrays["y"]
    if x.ndim != 2 or y.shape != (x.shape[0],) or np.any(y != np.round(y)) or y.min() < 0 or x.shape[0] < 10:
        raise SpecError(f"{where}: x of shape {x.shape} and y of shape {y.shape}; expected at least 10 samples "
                        f"of features and one class index (a whole number >= 0) per sample.")
    if "x_test" in arrays:
        return _scaled(x, y.astype(np.int64), arrays["x_test"], arrays["y_test"].astype(np.int64))
    return _split_and_scale(x, y.astype(np.int64))


def _split_and_scale(x: np.ndarray, y: np.ndarray) -> tuple:
    """Stratified 80/20 split (seed 0), then :func:`_scaled`."""
    from sklearn.model_selection import train_test_split

    counts = np.unique(y, return_counts=True)[1]
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=TEST_FRACTION, random_state=SPLIT_SEED,
                                                        stratify=y if counts.min() >= 2 else None)
    return _scaled(x_train, y_train, x_test, y_test)


def _scaled(x_train, y_train, x_test, y_test) -> tuple:
    """Features min-max scaled to [0, 1] by the training rows' range; test values clipped."""
    low, high = x_train.min(axis=0), x_train.max(axis=0)
    span = np.where(high > low, high - low, 1.0)
    return ((x_train - low) / span, y_train, np.clip((x_test - low) / span, 0.0, 1.0), y_test)


def model_path(task: str) -> Path:
    """The bundled model of ``task`` (``digits`` -> ``digits_mlp.npz``)."""
    if task not in TASK_NAMES:
        raise SpecError(f"printed task '{task}': unknown; {one_of(task, TASK_NAMES)}")
    return DATA_DIR / f"{task}_mlp.npz"


def load_task_model(task: str) -> Graph:
    """The bundled trained graph of ``task``."""
    return load_graph(model_path(task))


def train(task: str, seed: int = 0) -> Graph:
    """Train the MLP of ``task`` (not ``digits``) and return its graph, held-out accuracy in metadata."""
    if task not in TASKS:
        raise SpecError(f"train_printed: task '{task}'; {one_of(task, TASKS)} (digits: python -m "
                        f"hwsim.models.train_digits).")
    spec = TASKS[task]
    return fit_mlp(task, load_task(task), spec.hidden, seed, {
        "task": task, "dataset": f"sklearn.datasets.{spec.loader}", "topology_source": spec.topology_source})


def fit_mlp(name: str, data: tuple, hidden: int, seed: int, metadata: dict) -> Graph:
    """Train a ``hidden``-ReLU MLP on ``data`` = ``(x_train, y_train, x_test, y_test)`` (scikit-learn, as the
    bundled printed models) and return its graph ``<name>_mlp``, held-out accuracy in metadata."""
    from sklearn.neural_network import MLPClassifier

    x_train, y_train, x_test, y_test = data
    clf = MLPClassifier(hidden_layer_sizes=(hidden,), activation="relu", alpha=1e-3, max_iter=3000,
                        random_state=seed, tol=1e-6, n_iter_no_change=50).fit(x_train, y_train)
    w_h, w_o = clf.coefs_[0].T, clf.coefs_[1].T
    b_h, b_o = clf.intercepts_
    if w_o.shape[0] == 1:                      # binary: sklearn keeps one logit; write both classes
        w_o, b_o = np.vstack([-w_o / 2, w_o / 2]), np.array([-b_o[0] / 2, b_o[0] / 2])
    n_classes = w_o.shape[0]
    graph = Graph(f"{name}_mlp", metadata={
        **metadata, "split": {"test_fraction": TEST_FRACTION, "seed": SPLIT_SEED, "stratified": True},
        "features": "min-max scaled to [0, 1] by the training split's range; test clipped", "training_seed": seed,
        "training": "sklearn MLPClassifier(relu, adam, alpha=1e-3, max_iter=3000, tol=1e-6)",
        "test_accuracy_float": float(clf.score(x_test, y_test))})
    graph.add_input("features", w_h.shape[1], kind="value")
    graph.add_population("hidden", hidden, "relu", bias=b_h)
    graph.add_population("output", n_classes, "identity", bias=b_o)
    graph.add_projection("features", "hidden", w_h)
    graph.add_projection("hidden", "output", w_o)
    graph.add_output("readout", "output", readout="value")
    return graph.validate()


#: Where a retrained model goes by default: never over the bundled models.
DEFAULT_OUT = "hwsim_models"


def main(argv: list[str] | None = None) -> None:
    """Train and save the printed models (module doc)."""
    parser = argparse.ArgumentParser(prog="python -m hwsim.models.train_printed", description=__doc__.splitlines()[0])
    parser.add_argument("--task", action="append", choices=sorted(TASKS), help="task (repeatable; default all)")
    parser.add_argument("--seed", type=int, default=0, help="training seed (default 0)")
    parser.add_argument("--out", type=Path, default=Path(DEFAULT_OUT),
                        help=f"output folder (default ./{DEFAULT_OUT}; the bundled models are in {DATA_DIR})")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for task in args.task or sorted(TASKS):
        start = time.perf_counter()
        graph = train(task, args.seed)
        path = save_graph(graph, args.out / graph.name)
        print(f"{graph.name}: trained in {time.perf_counter() - start:.1f} s; held-out float accuracy "
              f"{graph.metadata['test_accuracy_float']:.4f}; {path}")


if __name__ == "__main__":
    main()
