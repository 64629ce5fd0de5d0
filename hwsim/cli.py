"""Command line: ``hwsim run``, ``hwsim noise`` and ``hwsim chips``, a thin layer over :mod:`hwsim.pipeline`
and :mod:`hwsim.sweep`."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from tqdm import tqdm

from hwsim.chips import available_chips, load_chip
from hwsim.errors import HwsimError, SpecError
from hwsim.ir import Graph, load_graph
from hwsim.pipeline import run
from hwsim.report import comparison_table

DEFAULT_MODELS = {"neuromorphic": "digits_snn.npz", "mac": "digits_mlp.npz"}


def _bundled_model(file_name: str) -> Graph:
    from importlib.resources import files

    return load_graph(Path(str(files("hwsim.models") / "data" / file_name)))


def _task_data(graph: Graph, inputs: str | None, samples: int | None):
    """Return ``(x, labels, calibration)`` for ``graph``: its task's held-out set or a user's ``.npz``."""
    if inputs is not None:
        path = Path(inputs)
        if not path.is_file():
            raise SpecError(f"--inputs {inputs}: no such file; expected an .npz with 'x' (and optional 'y', "
                            f"'calibration').")
        with np.load(path, allow_pickle=False) as data:
            if "x" not in data.files:
                raise SpecError(f"--inputs {inputs}: no array 'x'; found {', '.join(data.files) or 'nothing'}.")
            x = data["x"]
            y = data["y"] if "y" in data.files else None
            cal = data["calibration"] if "calibration" in data.files else None
    elif graph.metadata.get("task") == "digits":
        from hwsim.models.digits import load_digits_split

        split = graph.metadata.get("split", {})
        x_train, _, x, y = load_digits_split(split.get("test_fraction", 0.2), split.get("seed", 0))
        cal = x_train
    else:
        raise SpecError(f"model '{graph.name}': no inputs; its metadata names no bundled task. "
                        f"Hint: pass --inputs FILE.npz with an array 'x' (and 'y' for accuracy), or "
                        f"--task digits --steps N for a model of the bundled digits task.")
    if samples is not None:
        x = x[:samples]
        y = None if y is None else y[:samples]
    return x, y, cal


def _nir_graph(args, chip) -> Graph:
    """Import ``args.model`` (a .nir file) for ``chip``: its min_delay_steps sets the feed-forward latency."""
    from hwsim.interop.nir import import_nir

    missing = [flag for flag, value in (("--dt", args.dt), ("--convention", args.convention)) if value is None]
    if missing:
        raise SpecError(f"{args.model}: a NIR file needs {' and '.join(missing)}; none given (NIR files carry no "
                        f"time step and frameworks disagree on r/w_in). Hint: snnTorch exports use "
                        f"--dt 1e-4 --convention snntorch.")
    metadata = {}
    if args.task is not None:
        metadata["task"] = args.task
    if args.steps is not None:
        metadata["n_steps"] = args.steps
    if args.encoding is not None:
        metadata["encoding"] = args.encoding
    return import_nir(args.model, args.dt, args.convention, reset=args.reset or "value",
                      min_delay_steps=int(getattr(chip.capacity, "min_delay_steps", 1)), metadata=metadata)


def _jobs(args) -> list[tuple[Graph, object]]:
    if args.model is None:
        chips = [load_chip(name) for name in (args.chip or available_chips())]
        models = {kind: _bundled_model(f) for kind, f in DEFAULT_MODELS.items()}
        return [(models[chip.kind], chip) for chip in chips]
    chips = [load_chip(name) for name in (args.chip or ["loihi"])]
    if Path(args.model).suffix.lower() == ".nir":
        return [(_nir_graph(args, chip), chip) for chip in chips]
    nir_only = [flag for flag in ("dt", "convention", "reset", "task", "steps", "encoding")
                if getattr(args, flag) is not None]
    if nir_only:
        raise SpecError(f"--{nir_only[0]}: only applies to NIR (.nir) models; {args.model} is not one.")
    graph = load_graph(args.model)
    return [(graph, chip) for chip in chips]


def cmd_run(args) -> int:
    jobs = _jobs(args)
    data = {id(g): _task_data(g, args.inputs, args.samples) for g, _ in jobs}
    total = sum(len(data[id(g)][0]) for g, _ in jobs)
    reports = []
    with tqdm(total=total, unit="sample", disable=not sys.stderr.isatty(), file=sys.stderr) as bar:
        for graph, chip in jobs:
            bar.set_description(f"{graph.name} on {chip.name}")
            x, y, cal = data[id(graph)]
            reports.append(run(graph, chip, x, y, cal, progress=bar.update).report)
    print(comparison_table(reports))
    if args.markdown:
        for report in reports:
            print(report.to_markdown())
    out = Path(args.json)
    out.write_text(json.dumps([r.to_dict() for r in reports], indent=2, sort_keys=True) + "\n")
    print(f"full report: {out}")
    return 0


def _number(text: str):
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        raise SpecError(f"--values: {text!r} is not a number; expected comma-separated numbers, "
                        f"e.g. 0,0.1,0.2.") from None


def cmd_noise(args) -> int:
    from hwsim.noise import load_noise
    from hwsim.sweep import sweep

    values = [_number(v) for v in args.values.split(",") if v.strip()]
    if not values:
        raise SpecError(f"--values {args.values!r}: no numbers; expected e.g. 0,0.1,0.2.")
    if args.noise is not None:
        if not Path(args.noise).is_file():
            raise SpecError(f"--noise {args.noise}: no such file; expected a noise spec YAML (see docs/noise.md).")
        spec = load_noise(args.noise)
    else:
        spec = load_noise({"version": 1, "sources": [{"kind": args.kind, args.param: values[0]}]})
    if args.model is None:
        chip = load_chip(args.chip or "loihi")
        graph = _bundled_model(DEFAULT_MODELS[chip.kind])
    else:
        for flag in ("dt", "convention", "reset", "task", "steps", "encoding"):
            setattr(args, flag, None)
        args.chip = [args.chip or "loihi"]
        graph, chip = _jobs(args)[0]
    x, y, cal = _task_data(graph, args.inputs, args.samples)
    result = sweep(graph, chip, x, y, spec, args.kind, args.param, values, instances=args.instances,
                   seed=args.seed, calibration=cal, workers=args.workers, scheduler=args.scheduler,
                   out_dir=args.out, progress=True)
    print(f"{graph.name} on {chip.name}: {args.kind}.{args.param}, {args.instances} instances per level, "
          f"{len(x)} samples")
    print(result.table())
    for path in result.write(args.out):
        print(f"wrote {path}")
    return 0


def cmd_chips(args) -> int:
    for name in available_chips():
        chip = load_chip(name)
        print(f"{name:16s} {chip.kind:12s} {chip.description}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hwsim", description="Neuromorphic hardware simulator and energy estimator.")
    sub = parser.add_subparsers(dest="command", required=True)
    p_run = sub.add_parser("run", help="simulate a model on chips and print the comparison table")
    p_run.add_argument("model", nargs="?", help="graph file (.npz from hwsim.save_graph, or a .nir with --dt and "
                                                "--convention); default: the bundled digits models on every "
                                                "bundled chip")
    p_run.add_argument("--chip", action="append", help="chip profile name or YAML path (repeatable)")
    p_run.add_argument("--inputs", help=".npz with 'x' (values or spike raster), optional 'y' and 'calibration'")
    p_run.add_argument("--samples", type=int, help="only the first N samples")
    p_run.add_argument("--json", default="hwsim_report.json", help="where to write the full JSON report")
    p_run.add_argument("--markdown", action="store_true", help="also print each full report")
    nir_opts = p_run.add_argument_group("NIR models (.nir)")
    nir_opts.add_argument("--dt", type=float, help="seconds per step (required; snnTorch exports: 1e-4)")
    nir_opts.add_argument("--convention", choices=("snntorch", "norse", "literal"),
                          help="how the file's r / w_in are meant (required)")
    nir_opts.add_argument("--reset", choices=("value", "subtract", "subtract_next"),
                          help="reset of every spiking layer (default value; snnTorch's default Leaky/Synaptic "
                               "reset is subtract_next)")
    nir_opts.add_argument("--task", choices=("digits",), help="use the bundled task's held-out set as inputs")
    nir_opts.add_argument("--steps", type=int, help="steps per sample for rate-encoding value inputs")
    nir_opts.add_argument("--encoding", choices=("regular", "bernoulli"), help="rate encoding of value inputs")
    p_run.set_defaults(func=cmd_run)
    p_noise = sub.add_parser("noise", help="robustness sweep: accuracy, spikes and energy vs one noise parameter")
    p_noise.add_argument("model", nargs="?", help="graph file (.npz from hwsim.save_graph); default: the bundled "
                                                  "digits model for the chip's kind")
    p_noise.add_argument("--noise", help="noise spec YAML; default: a spec with just --kind")
    p_noise.add_argument("--kind", required=True, help="noise source to sweep, e.g. weight_variation")
    p_noise.add_argument("--param", required=True, help="its parameter, e.g. sigma")
    p_noise.add_argument("--values", required=True, help="comma-separated levels, e.g. 0,0.1,0.2,0.3")
    p_noise.add_argument("--instances", type=int, default=10, help="chip instances per level (default 10)")
    p_noise.add_argument("--seed", type=int, default=0, help="sweep seed (default 0)")
    p_noise.add_argument("--chip", help="chip profile name or YAML path (default loihi)")
    p_noise.add_argument("--inputs", help=".npz with 'x' (values or spike raster), optional 'y' and 'calibration'")
    p_noise.add_argument("--samples", type=int, help="only the first N samples")
    p_noise.add_argument("--workers", type=int, help="local worker processes (default 1: in-process, the kernel's threads use every core)")
    p_noise.add_argument("--scheduler", help="Dask scheduler address tcp://HOST:PORT (instead of local workers)")
    p_noise.add_argument("--out", default="hwsim_noise", help="output folder; finished points are kept in "
                                                              "points.jsonl and a rerun resumes (default "
                                                              "hwsim_noise/)")
    p_noise.set_defaults(func=cmd_noise)
    p_chips = sub.add_parser("chips", help="list the bundled chip profiles")
    p_chips.set_defaults(func=cmd_chips)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``hwsim`` command; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except HwsimError as exc:
        print(f"hwsim: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
