"""Robustness sweeps: accuracy, spikes and energy of N noisy chip instances per noise level.

A sweep varies one parameter of one noise source (``kind``, ``param``) over ``values``; each
value is simulated on ``instances`` chip instances. A *point* is one (value, instance) pair.

Seeds
-----
Point ``(value_index, instance)`` runs with the seed::

    int(np.random.SeedSequence([seed, value_index, instance]).generate_state(1, np.uint32)[0])

so any point can be reproduced alone with :func:`run_point` (or ``hwsim.pipeline.run(...,
noise=spec.with_param(kind, param, values[value_index]), seed=that_seed)``), whatever the
number of workers or the scheduler.

Execution
---------
``workers=1`` (the default) runs the points in this process, where the kernel spreads each
point's samples over every core with Numba's threads (1.3-1.5x the points/s of one core on
2 cores: the per-point Python work stays serial). ``workers=N`` runs them in this process and
N-1 helper processes (:mod:`hwsim.local_pool`), each on its share of the cores and taking whole
points: 1.9-2.0x on 2 cores once the pool's fork server runs, 1.5-1.7x for the first sweep of a
fresh process, which pays the server's start (bench/RESULTS.md, bench_sweep). As with any
process pool, a script that calls it must guard its top level with ``if __name__ == "__main__":``.
``scheduler="tcp://HOST:PORT"`` sends the points to a Dask distributed cluster. The work function
is the same pure function of (graph arrays, chip, data, spec, point) in every case, so the numbers
are identical. The graph travels as its :meth:`Graph.to_arrays` form, once per helper (pool
initializer / ``Client.scatter``), and is rebuilt once per helper.

Resume
------
With ``out_dir``, each finished point is appended at once to ``out_dir/points.jsonl``, keyed by
(value index, instance, seed) and a hash of the sweep's arguments (graph, chip, data, spec,
kind, param, values, seed; not the spec's own value of ``kind.param``, which the sweep replaces,
nor ``instances``, ``workers``, ``scheduler``, so a rerun may add instances). A rerun skips finished points; a file written by a sweep with other arguments is
refused with a :class:`SpecError`.
"""
from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from hwsim.errors import SpecError, cut, short

POINTS_FILE = "points.jsonl"


# ---------------------------------------------------------------------------- seeds and hashing
def point_seed(seed: int, value_index: int, instance: int) -> int:
    """The seed of point ``(value_index, instance)`` of a sweep started with ``seed``."""
    return int(np.random.SeedSequence([int(seed), int(value_index), int(instance)])
               .generate_state(1, np.uint32)[0])


def _stable(obj):
    """A JSON-able, process-independent form of ``obj`` (for hashing)."""
    if hasattr(obj, "to_dict") and callable(obj.to_dict):
        return _stable(obj.to_dict())
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {"__type__": type(obj).__name__,
                **{f.name: _stable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}}
    if isinstance(obj, dict):
        return {str(k): _stable(v) for k, v in sorted(obj.items(), key=lambda kv: str(kv[0]))}
    if isinstance(obj, (list, tuple)):
        return [_stable(v) for v in obj]
    if isinstance(obj, (set, frozenset)):
        return sorted((_stable(v) for v in obj), key=repr)
    if isinstance(obj, np.ndarray):
        return {"dtype": str(obj.dtype), "shape": list(obj.shape),
                "sha256": hashlib.sha256(np.ascontiguousarray(obj).tobytes()).hexdigest()}
    if isinstance(obj, np.generic):
        return obj.item()
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    return repr(obj)


def _digest(obj) -> str:
    return hashlib.sha256(json.dumps(_stable(obj), sort_keys=True, default=repr).encode()).hexdigest()


# ---------------------------------------------------------------------------- the work function
_GRAPHS: dict = {}  # per worker process: graph hash -> Graph rebuilt from its arrays
_COMPILED: dict = {}  # per worker process: (graph, chip, calibration) -> CompiledNetwork (it keeps both alive)


def _graph_from(payload: dict):
    from hwsim.ir import Graph

    key = payload["graph_hash"]
    if key not in _GRAPHS:
        _GRAPHS.clear()
        header, arrays = payload["graph"]
        _GRAPHS[key] = Graph.from_arrays(header, arrays, where="sweep graph")
    return _GRAPHS[key]


def _compiled_for(graph, chip, calibration):
    """``graph`` compiled for ``chip`` once per worker process (the last one is kept: a worker runs the points of
    one sweep), so each point only applies its noise and simulates."""
    from hwsim.compiled import compile_network

    key = (id(graph), chip if isinstance(chip, str) else id(chip), None if calibration is None else _digest(calibration))
    if key not in _COMPILED:
        _COMPILED.clear()
        _COMPILED[key] = compile_network(graph, chip, calibration)
    return _COMPILED[key]


def _simulate(graph, chip, x, labels, calibration, spec, seed) -> dict:
    """One noisy run -> accuracy, spikes and energy per inference."""
    from hwsim.pipeline import run

    report = run(_compiled_for(graph, chip, calibration), None, x, labels, noise=spec, seed=seed).report
    spikes = report.ops_per_inference.get("spike")
    return {"accuracy": report.accuracy,
            "spikes_per_inference": None if spikes is None else float(spikes),
            "energy_per_inference_uj": float(report.energy_per_inference_uj)}


def _compute_point(payload: dict, point: dict) -> dict:
    """The pure work function: payload (graph arrays, chip, data, spec, sweep axis) x point -> record."""
    graph = _graph_from(payload)
    spec = payload["spec"].with_param(payload["kind"], payload["param"], point["value"])
    result = payload["runner"](graph, payload["chip"], payload["x"], payload["labels"],
                               payload["calibration"], spec, point["seed"])
    return {**point, **result}


# ---------------------------------------------------------------------------- statistics
#: Resamples of the bootstrap confidence interval of a level's mean accuracy.
BOOTSTRAP_RESAMPLES = 10_000


def bootstrap_ci95(values: Sequence[float], seed: int) -> tuple[float, float]:
    """95 % percentile-bootstrap interval of the mean of ``values`` (the instances' accuracies).

    ``BOOTSTRAP_RESAMPLES`` resamples with replacement drawn from ``numpy.random.default_rng(seed)``; the
    interval lies between the lowest and highest value, so accuracies stay inside 0..1 (a t-interval
    crosses 1 when most instances score 100 %). One value: the value itself.
    """
    data = np.asarray(values, dtype=np.float64)
    if data.size == 1:
        return float(data[0]), float(data[0])
    picks = np.random.default_rng(seed).integers(0, data.size, size=(BOOTSTRAP_RESAMPLES, data.size))
    means = data[picks].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


def _mean(values: list) -> float | None:
    vals = [v for v in values if v is not None]
    return float(np.mean(vals)) if vals else None


def aggregate(points: Sequence[dict], values: Sequence[float]) -> list[dict]:
    """Per-value statistics of ``points`` (records with ``value_index``, ``accuracy``, ...).

    For each value with n points: accuracy mean, sample std (ddof=1; 0 when n=1), 95 % CI of the mean by
    :func:`bootstrap_ci95` (seeded by the value's index; the mean alone when n=1), mean spikes and energy per
    inference, and their relative change to the baseline level (the value 0 if present, else the
    first value): ``mean / baseline_mean - 1``.
    """
    rows = []
    for vi, value in enumerate(values):
        mine = [p for p in points if p["value_index"] == vi]
        acc = [p["accuracy"] for p in mine if p["accuracy"] is not None]
        n = len(acc)
        mean = float(np.mean(acc)) if n else None
        std = float(np.std(acc, ddof=1)) if n > 1 else (0.0 if n == 1 else None)
        low, high = bootstrap_ci95(acc, seed=vi) if n else (None, None)
        rows.append({"value_index": vi, "value": value, "n": len(mine),
                     "accuracy_mean": mean, "accuracy_std": std,
                     "accuracy_ci95_low": low, "accuracy_ci95_high": high,
                     "spikes_per_inference_mean": _mean([p.get("spikes_per_inference") for p in mine]),
                     "energy_per_inference_uj_mean": _mean([p.get("energy_per_inference_uj") for p in mine])})
    base_index = next((i for i, v in enumerate(values) if float(v) == 0.0), 0)
    base = rows[base_index] if rows else {}
    for row in rows:
        for key, out in (("spikes_per_inference_mean", "spike_rate_change"),
                         ("energy_per_inference_uj_mean", "energy_change")):
            b, v = base.get(key), row[key]
            row[out] = None if b in (None, 0) or v is None else v / b - 1.0
    return rows


# ---------------------------------------------------------------------------- result
POINT_FIELDS = ("value_index", "value", "instance", "seed", "accuracy", "spikes_per_inference",
                "energy_per_inference_uj")
LEVEL_FIELDS = ("value_index", "value", "n", "accuracy_mean", "accuracy_std", "accuracy_ci95_low",
                "accuracy_ci95_high", "spikes_per_inference_mean", "spike_rate_change",
                "energy_per_inference_uj_mean", "energy_change")


@dataclass
class SweepResult:
    """Points and per-level statistics of a sweep.

    Attributes
    ----------
    kind, param : str
        The swept noise source and parameter.
    values : list of float
        The levels.
    instances, seed : int
        Chip instances per level; the sweep's seed.
    points : list of dict
        One record per point (``POINT_FIELDS``), sorted by value index then instance.
    levels : list of dict
        One row per value (``LEVEL_FIELDS``), see :func:`aggregate`.
    model, chip : str
        Names of the network and the chip profile.
    sweep_hash : str
        Hash of the arguments that fix the numbers.
    """

    kind: str
    param: str
    values: list
    instances: int
    seed: int
    points: list
    levels: list = field(default_factory=list)
    model: str = ""
    chip: str = ""
    sweep_hash: str = ""

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, path: str | Path) -> "SweepResult":
        """Read a ``sweep.json`` written by :meth:`write` (SpecError when it is not one)."""
        path = Path(path)
        try:
            data = json.loads(path.read_text())
            return cls(**data)
        except FileNotFoundError:
            raise SpecError(f"{path}: not found; expected a sweep.json written by hwsim noise.") from None
        except (json.JSONDecodeError, TypeError) as err:
            raise SpecError(f"{path}: not a sweep result ({err}); expected a sweep.json written by "
                            f"hwsim noise.") from None

    def to_json(self, path: str | Path | None = None) -> str:
        """Deterministic JSON text (sorted keys); also written to ``path`` when given."""
        text = json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n"
        if path is not None:
            Path(path).write_text(text)
        return text

    def to_csv(self, path: str | Path | None = None, levels: bool = False) -> str:
        """CSV of the points (or of the per-level rows with ``levels=True``); written to ``path`` when given."""
        fields, rows = (LEVEL_FIELDS, self.levels) if levels else (POINT_FIELDS, self.points)
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if row.get(k) is None else row.get(k) for k in fields})
        if path is not None:
            Path(path).write_text(buf.getvalue())
        return buf.getvalue()

    def table(self) -> str:
        """Markdown table, one row per level."""
        lines = [f"| {self.param} | n | accuracy mean | std | 95 % CI | spikes / inf. | spike change | "
                 f"energy / inf. (uJ) | energy change |", "|---|---|---|---|---|---|---|---|---|"]

        def pct(v):
            return "-" if v is None else f"{100 * v:+.1f} %"

        def num(v, f="{:.4g}"):
            return "-" if v is None else f.format(v)

        for r in self.levels:
            ci = ("-" if r["accuracy_mean"] is None else
                  f"[{100 * r['accuracy_ci95_low']:.1f}, {100 * r['accuracy_ci95_high']:.1f}] %")
            acc = "-" if r["accuracy_mean"] is None else f"{100 * r['accuracy_mean']:.2f} %"
            std = "-" if r["accuracy_std"] is None else f"{100 * r['accuracy_std']:.2f} %"
            lines.append(f"| {r['value']:g} | {r['n']} | {acc} | {std} | {ci} | "
                         f"{num(r['spikes_per_inference_mean'])} | {pct(r['spike_rate_change'])} | "
                         f"{num(r['energy_per_inference_uj_mean'])} | {pct(r['energy_change'])} |")
        return "\n".join(lines) + "\n"

    def plot(self, out_dir: str | Path) -> list[Path]:
        """Write ``accuracy_vs_<param>.png`` (mean line, 95 % CI band, points) and
        ``energy_vs_accuracy.png`` (one point per instance) to ``out_dir``; return the paths."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        paths = []
        fig, ax = plt.subplots(figsize=(6, 4))
        _accuracy_band(ax, self.levels, "mean")
        pts = [p for p in self.points if p["accuracy"] is not None]
        ax.scatter([p["value"] for p in pts], [100 * p["accuracy"] for p in pts], s=8, alpha=0.5,
                   color="gray", label="instances")
        ax.set_xlabel(f"{self.kind}.{self.param}")
        ax.set_ylabel("accuracy (%)")
        ax.set_title(f"{self.model} on {self.chip}")
        ax.legend()
        fig.tight_layout()
        paths.append(out_dir / f"accuracy_vs_{self.param}.png")
        fig.savefig(paths[-1], dpi=100)
        plt.close(fig)
        fig, ax = plt.subplots(figsize=(6, 4))
        sc = ax.scatter([100 * p["accuracy"] for p in pts], [p["energy_per_inference_uj"] for p in pts],
                        c=[p["value"] for p in pts], cmap="viridis", s=14)
        fig.colorbar(sc, ax=ax, label=f"{self.kind}.{self.param}")
        ax.set_xlabel("accuracy (%)")
        ax.set_ylabel("energy per inference (uJ)")
        ax.set_title(f"{self.model} on {self.chip}")
        fig.tight_layout()
        paths.append(out_dir / "energy_vs_accuracy.png")
        fig.savefig(paths[-1], dpi=100)
        plt.close(fig)
        return paths

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write ``sweep.json``, ``points.csv``, ``levels.csv`` and the plots to ``out_dir``."""
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        self.to_json(out_dir / "sweep.json")
        self.to_csv(out_dir / "points.csv")
        self.to_csv(out_dir / "levels.csv", levels=True)
        return [out_dir / "sweep.json", out_dir / "points.csv", out_dir / "levels.csv"] + self.plot(out_dir)


def _accuracy_band(ax, levels: list, label: str) -> None:
    """Draw the mean accuracy per level with its 95 % CI band on ``ax``."""
    lv = [r for r in levels if r["accuracy_mean"] is not None]
    if not lv:
        return
    xs = [r["value"] for r in lv]
    line, = ax.plot(xs, [100 * r["accuracy_mean"] for r in lv], marker="o", label=label)
    ax.fill_between(xs, [100 * r["accuracy_ci95_low"] for r in lv], [100 * r["accuracy_ci95_high"] for r in lv],
                    alpha=0.25, color=line.get_color(), label=f"{label}: 95 % CI")


def plot_comparison(results: Sequence[SweepResult], labels: Sequence[str], path: str | Path) -> Path:
    """Overlay the accuracy curves (mean and 95 % CI) of sweeps of one noise axis, e.g. a model before
    and after noise-aware training; write the PNG to ``path``.

    Raises
    ------
    SpecError
        When the sweeps do not share the swept kind and parameter, or labels and results differ in number.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if len(labels) != len(results) or not results:
        raise SpecError(f"plot_comparison: {len(results)} sweeps and {len(labels)} labels; expected one label "
                        f"per sweep and at least one sweep.")
    axes = {(r.kind, r.param) for r in results}
    if len(axes) != 1:
        raise SpecError(f"plot_comparison: sweeps of {sorted(axes)}; expected one noise kind and parameter. "
                        f"Hint: compare sweeps of the same axis.")
    fig, ax = plt.subplots(figsize=(6, 4))
    for result, label in zip(results, labels):
        _accuracy_band(ax, result.levels, f"{label} ({result.model})")
    ax.set_xlabel(f"{results[0].kind}.{results[0].param}")
    ax.set_ylabel("accuracy (%)")
    ax.set_title(f"on {', '.join(sorted({r.chip for r in results}))}; {results[0].instances} instances per level")
    ax.legend(fontsize=8)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


# ---------------------------------------------------------------------------- resume file
def _record_checksum(rec: dict) -> str:
    """SHA-256 of a point record's canonical JSON, its ``checksum`` field left out."""
    body = {k: v for k, v in rec.items() if k != "checksum"}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _checked_record(path: Path, line_number: int, rec, sweep_hash: str) -> dict:
    """``rec`` when it is an intact point of this sweep; a SpecError naming the line otherwise."""
    where = f"{path}: line {line_number}"
    delete = f"Hint: delete {POINTS_FILE} to start the sweep afresh."
    keys = ("value_index", "instance", "seed")
    if not isinstance(rec, dict) or "checksum" not in rec \
            or not all(type(rec.get(key)) is int for key in keys):
        raise SpecError(f"{where}: {short(rec)}; expected a point record (value_index, instance, seed, "
                        f"checksum, ...) as hwsim writes them. {delete}")
    if rec.get("sweep_hash") != sweep_hash:
        raise SpecError(f"{path}: written by a sweep with other arguments (hash "
                        f"{str(rec.get('sweep_hash'))[:12]}; this sweep is {sweep_hash[:12]}); expected the "
                        f"same graph, chip, data, spec, kind, param, values and seed. Hint: use another "
                        f"out_dir, or delete {POINTS_FILE} to start afresh.")
    if rec["checksum"] != _record_checksum(rec):
        raise SpecError(f"{where}: its checksum does not match its values (changed after it was written); "
                        f"expected the record as the sweep wrote it. {delete}")
    return rec


def _load_done(path: Path, sweep_hash: str) -> dict:
    """Finished points in ``path`` keyed by (value_index, instance, seed); refuse other sweeps' files and
    damaged or edited records (each carries the checksum of its values)."""
    if not path.is_file():
        return {}
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"{path}: not readable as text ({cut(exc, 80)}); expected one JSON point per "
                        f"line. Hint: delete {POINTS_FILE} to start the sweep afresh.") from None
    lines = text.split("\n")
    done, good = {}, []
    for k, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            if k == len(lines) - 1:  # a last line cut short by an interruption: drop it
                continue
            raise SpecError(f"{path}: line {k + 1} is not JSON; expected one point per line. "
                            f"Hint: delete the file to start the sweep afresh.") from None
        rec = _checked_record(path, k + 1, rec, sweep_hash)
        done[(rec["value_index"], rec["instance"], rec["seed"])] = rec
        good.append(line)
    if not text.endswith("\n") and text:
        path.write_text("".join(g + "\n" for g in good))  # so appends start on a fresh line
    return done


# ---------------------------------------------------------------------------- the sweep
def _prepare(graph, chip, x, labels, spec, kind, param, values, seed, calibration, runner):
    if not hasattr(spec, "with_param"):  # a dict or a path, not yet a NoiseSpec
        from hwsim.noise import load_noise

        spec = load_noise(spec)
    values = [v.item() if isinstance(v, np.generic) else v for v in values]  # ints stay ints (e.g. bits)
    if not values:
        raise SpecError("sweep: values is empty; expected at least one level.")
    bad = [v for v in values if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v)]
    if bad:
        raise SpecError(f"sweep: value {bad[0]!r}; expected finite numbers.")
    for v in values:
        spec.with_param(kind, param, v)  # fails early, in this process, on an unknown kind/param
    graph.validate()
    header, arrays = graph.to_arrays()
    graph_hash = _digest([header, arrays])
    x = np.asarray(x)
    labels = None if labels is None else np.asarray(labels)
    calibration = None if calibration is None else np.asarray(calibration)
    sweep_hash = _digest({"graph": graph_hash, "chip": chip, "x": x, "labels": labels,
                          "calibration": calibration, "spec": spec.with_param(kind, param, values[0]), "kind": kind, "param": param,
                          "values": values, "seed": int(seed)})
    payload = {"graph": (header, arrays), "graph_hash": graph_hash, "chip": chip, "x": x, "labels": labels,
               "calibration": calibration, "spec": spec.with_param(kind, param, values[0]), "kind": kind, "param": param, "runner": runner}
    return payload, values, sweep_hash


def _execute(payload, todo, workers, scheduler, on_done) -> None:
    if not todo:
        return
    if scheduler is not None:
        from dask.distributed import Client, as_completed

        with Client(scheduler) as client:
            remote = client.scatter(payload, broadcast=True, hash=False)
            futures = [client.submit(_compute_point, remote, p, pure=False) for p in todo]
            for fut in as_completed(futures):
                on_done(fut.result())
        return
    from hwsim.local_pool import run_local

    run_local(_compute_point, payload, todo, workers, on_done)


def sweep(graph, chip, x, labels, spec, kind: str, param: str, values: Sequence[float], instances: int = 10,
          seed: int = 0, calibration=None, workers: int | None = None, scheduler: str | None = None,
          out_dir: str | Path | None = None, progress: bool = True, *, _runner: Callable = _simulate) -> SweepResult:
    """Run ``instances`` noisy chip instances at each of ``values`` of ``kind.param``.

    Parameters
    ----------
    graph : Graph
        The network.
    chip : ChipProfile
        Its chip profile.
    x, labels : array_like
        Inputs (as for :func:`hwsim.pipeline.run`) and their classes.
    spec : NoiseSpec, dict or path
        Noise specification; ``kind.param`` is replaced by each value in turn (``spec.with_param``).
    kind, param : str
        The swept source and parameter, e.g. ``"weight_variation"``, ``"sigma"``.
    values : sequence of float
        The levels.
    instances : int
        Chip instances (seeds) per level.
    seed : int
        Sweep seed; point (i, k) uses :func:`point_seed` ``(seed, i, k)``.
    calibration : array_like, optional
        Calibration inputs for MAC chips.
    workers : int, optional
        Processes computing points, this one included (default 1: this process alone, the kernel's
        threads use every core; N: this process and N-1 helpers, one share of the cores each).
    scheduler : str, optional
        ``tcp://HOST:PORT`` of a Dask distributed scheduler; replaces the local pool.
    out_dir : path, optional
        Where ``points.jsonl`` records finished points (resume).
    progress : bool
        Progress bar over points on stderr (only when it is a terminal).
    """
    if int(instances) < 1:
        raise SpecError(f"sweep: instances {instances}; expected >= 1.")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers < 1):
        raise SpecError(f"sweep: workers {workers!r}; expected an integer >= 1 (1: this process alone).")
    if scheduler is not None and not str(scheduler).startswith(("tcp://", "tls://", "inproc://", "ucx://")):
        raise SpecError(f"sweep: scheduler {scheduler!r}; expected an address like tcp://HOST:PORT.")
    payload, values, sweep_hash = _prepare(graph, chip, x, labels, spec, kind, param, values, seed,
                                           calibration, _runner)
    points = [{"value_index": i, "value": v, "instance": k, "seed": point_seed(seed, i, k)}
              for i, v in enumerate(values) for k in range(int(instances))]
    done: dict = {}
    points_file = None
    if out_dir is not None:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        points_file = Path(out_dir) / POINTS_FILE
        done = _load_done(points_file, sweep_hash)
    todo = [p for p in points if (p["value_index"], p["instance"], p["seed"]) not in done]
    records = {key: rec for key, rec in done.items()}

    from tqdm import tqdm

    bar = tqdm(total=len(points), initial=len(points) - len(todo), unit="point", file=sys.stderr,
               disable=not progress or not sys.stderr.isatty(), desc=f"{kind}.{param}")

    def on_done(rec: dict) -> None:
        rec = {**rec, "sweep_hash": sweep_hash}
        rec["checksum"] = _record_checksum(rec)
        records[(rec["value_index"], rec["instance"], rec["seed"])] = rec
        if points_file is not None:
            with points_file.open("a") as fh:
                fh.write(json.dumps(rec, sort_keys=True) + "\n")
                fh.flush()
        bar.update(1)

    try:
        _execute(payload, todo, workers if workers is not None else 1, scheduler, on_done)
    finally:
        bar.close()
    ordered = [{k: records[(p["value_index"], p["instance"], p["seed"])].get(k) for k in POINT_FIELDS}
               for p in points]
    return SweepResult(kind=kind, param=param, values=values, instances=int(instances), seed=int(seed),
                       points=ordered, levels=aggregate(ordered, values), model=graph.name,
                       chip=getattr(chip, "name", str(chip)), sweep_hash=sweep_hash)


def run_point(graph, chip, x, labels, spec, kind: str, param: str, value, seed: int, value_index: int,
              instance: int, calibration=None) -> dict:
    """Reproduce one point of a sweep alone (same record as in :attr:`SweepResult.points`)."""
    if not hasattr(spec, "with_param"):
        from hwsim.noise import load_noise

        spec = load_noise(spec)
    s = point_seed(seed, value_index, instance)
    res = _simulate(graph, chip, np.asarray(x), None if labels is None else np.asarray(labels), calibration,
                    spec.with_param(kind, param, value), s)
    return {"value_index": value_index, "value": value, "instance": instance, "seed": s, **res}
