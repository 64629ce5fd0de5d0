"""The samples a model is run on: a user's file, or a bundled task's split, said honestly.

A bundled task (``digits``: scikit-learn's digits, hwsim's stratified split) has a held-out split that
hwsim's own models were trained against. A model brought from elsewhere was trained on a split hwsim
does not know, which may share samples with hwsim's test split; its accuracy there can be inflated. So
:func:`task_data` says in ``description`` which split the samples are and, for a model that does not
declare hwsim's split as its training split (``metadata["split"]``, written by hwsim's trainers), adds a
``warning`` that the command line prints and the report keeps.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hwsim.npz import NpzReader
from hwsim.errors import SpecError, cut, one_of, short
from hwsim.ir import Graph

TASKS = ("digits",)


@dataclass
class TaskData:
    """Samples, labels and calibration inputs, and where they came from.

    Attributes
    ----------
    x : ndarray
        Inputs: values ``(n_samples, n_channels)`` or a raster ``(n_samples, n_steps, n_channels)``.
    y : ndarray or None
        Labels, for the accuracy.
    calibration : ndarray or None
        Inputs that fix an MLP's activation scaling (a task's training split).
    description : dict
        ``source`` (a file or a task's split) and, when the accuracy may be inflated, ``warning``.
    """

    x: np.ndarray
    y: np.ndarray | None
    calibration: np.ndarray | None
    description: dict = field(default_factory=dict)


def _from_file(path_text: str) -> TaskData:
    expected = "an .npz with a numeric array 'x' (and optional 'y', 'calibration') saved with numpy.savez"
    with NpzReader(path_text, SpecError, expected, label="--inputs ") as data:
        if "x" not in data:
            raise SpecError(f"--inputs {cut(path_text)}: no array 'x'; found "
                            f"{short(', '.join(data), 120) or 'nothing'}. Hint: save with numpy.savez(path, x=..., "
                            f"y=...).")
        arrays = {k: data[k] for k in ("x", "y", "calibration") if k in data}
    if arrays["x"].ndim == 0:
        raise SpecError(f"--inputs {cut(path_text)}: 'x' is a scalar; expected one sample per row.")
    return TaskData(arrays["x"], arrays.get("y"), arrays.get("calibration"),
                    {"source": f"file {cut(path_text)} ({len(arrays['x'])} samples)"})


def _digits(graph: Graph) -> TaskData:
    from hwsim.models.digits import load_digits_split

    split = graph.metadata.get("split")
    trained_here = isinstance(split, dict)
    split = split if trained_here else {}
    fraction, seed = split.get("test_fraction", 0.2), split.get("seed", 0)
    x_train, _, x, y = load_digits_split(fraction, seed)
    source = (f"bundled task 'digits': hwsim's test split ({fraction:.0%} of scikit-learn's digits, stratified, "
              f"seed {seed}, {len(x)} samples)")
    description = {"source": source}
    if not trained_here:
        description["warning"] = (
            f"the accuracy is measured on hwsim's own digits split, which may overlap the data model "
            f"'{graph.name}' was trained on (its metadata names no training split), so it may be inflated. "
            f"Hint: pass your own held-out set with --inputs FILE.npz (arrays x and y).")
    return TaskData(x, y, x_train, description)


def task_data(graph: Graph, inputs: str | None = None, samples: int | None = None) -> TaskData:
    """The samples to run ``graph`` on: the ``inputs`` file, else the held-out split of its task.

    Parameters
    ----------
    graph : Graph
        The model; ``metadata["task"]`` names its bundled task when ``inputs`` is None.
    inputs : str, optional
        An ``.npz`` with ``x`` and optionally ``y`` and ``calibration``.
    samples : int, optional
        Keep only the first ``samples`` samples (>= 1).
    """
    if samples is not None and (isinstance(samples, bool) or not isinstance(samples, (int, np.integer))
                                or samples < 1):
        raise SpecError(f"--samples {short(samples)}: expected an integer >= 1.")
    if inputs is not None:
        data = _from_file(inputs)
    elif graph.metadata.get("task") == "digits":
        data = _digits(graph)
    elif graph.metadata.get("task") is not None:
        task = str(graph.metadata["task"])
        raise SpecError(f"model '{graph.name}': task {short(task)}; {one_of(task, TASKS)} Hint: pass --inputs "
                        f"FILE.npz with an array 'x' (and 'y').")
    else:
        raise SpecError(f"model '{graph.name}': no inputs; its metadata names no bundled task. "
                        f"Hint: pass --inputs FILE.npz with an array 'x' (and 'y' for accuracy), or "
                        f"--task digits --steps N for a model of the bundled digits task.")
    if samples is not None:
        data.x = data.x[:samples]
        data.y = None if data.y is None else data.y[:samples]
        data.description["source"] += f", the first {len(data.x)}"
    return data
