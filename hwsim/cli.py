"""Command line: ``hwsim run``, ``hwsim claims``, ``hwsim noise``, ``hwsim export-verilog`` and ``hwsim chips``,
a thin layer over :mod:`hwsim.pipeline`, :mod:`hwsim.claims`, :mod:`hwsim.sweep` and :mod:`hwsim.printed`."""
from __future__ import annotations

import argparse
import hashlib
import json
import shlex
import sys
from pathlib import Path

import numpy as np
from tqdm import tqdm

from hwsim import __version__
from hwsim.chips import available_chips, load_chip
from hwsim.cli_checks import MAX_SEED, integer_in, output_file, output_folder, write_text
from hwsim.errors import MappingError, SpecError, UnsupportedError, cut, exit_status, short
from hwsim.ir import Graph, load_graph
from hwsim.neuron_models import RESET_MODES
from hwsim.pipeline import run
from hwsim.plots import plot_run
from hwsim.printed.cost import COST_MODES
from hwsim.printed.design_report import DIGITS_DESIGN, design_report
from hwsim.realtime import REALTIME_MODES
from hwsim.report import comparison_table, reports_json
from hwsim.tasks import TASKS, task_data

DEFAULT_MODELS = {"neuromorphic": "digits_snn.npz", "mac": "digits_mlp.npz"}
#: Where the default job (no model given) draws its plots.
DEFAULT_PLOTS = "hwsim_plots"


def _bundled_model(file_name: str) -> Graph:
    from importlib.resources import files

    return load_graph(Path(str(files("hwsim.models") / "data" / file_name)))


INPUT_KINDS = ("spikes", "current", "values")


def _nir_graph(args, chip) -> Graph:
    """Import ``args.model`` (a .nir file) for ``chip``: its min_delay_steps sets the feed-forward latency."""
    from hwsim.interop.nir import import_nir

    missing = [flag for flag, value in (("--dt", args.dt), ("--convention", args.convention)) if value is None]
    if missing:
        raise SpecError(f"{args.model}: a NIR file needs {' and '.join(missing)}; none given (NIR files carry no "
                        f"time step and frameworks disagree on r/w_in). Hint: snnTorch exports use "
                        f"--dt 1e-4 --convention snntorch.")
    resets = {}
    if args.reset_mechanism is not None:
        resets = {"reset_mechanism": args.reset_mechanism,
                  "reset_delay": True if args.reset_delay is None else args.reset_delay}
    elif args.reset_delay is not None:
        raise SpecError("--reset-delay/--no-reset-delay: given without --reset-mechanism; expected both "
                        "(snnTorch's reset_mechanism and reset_delay).")
    else:
        resets = {"reset": args.reset}
    return import_nir(args.model, args.dt, args.convention,
                      min_delay_steps=int(getattr(chip.capacity, "min_delay_steps", 1)),
                      input_kind="current" if args.input_kind == "current" else "spike", **resets)


def _with_run_options(graph: Graph, args) -> Graph:
    """``graph`` with the command line's task, steps and encoding in its metadata (they fill what the model's
    file leaves open, or override it)."""
    for flag, key in (("task", "task"), ("steps", "n_steps"), ("encoding", "encoding")):
        if getattr(args, flag, None) is not None:
            graph.metadata[key] = getattr(args, flag)
    if graph.metadata.get("encoding") == "bernoulli" and getattr(args, "seed", None) is not None:
        if args.seed < 0:
            raise SpecError(f"--seed {args.seed}: expected an integer >= 0.")
        graph.metadata["encoding_seed"] = args.seed
    return graph


def _jobs(args) -> list[tuple[Graph, object]]:
    """(graph, chip) pairs to run. Without ``--chip``: the bundled models on every bundled chip, or the user's
    model on every bundled chip of its kind (spiking: neuromorphic; MLP: mac). A NIR model is imported once per
    chip; an import a chip cannot take yields the error in place of the graph (:func:`_run_jobs` reports it)."""
    if args.model is None:
        chips = [load_chip(name) for name in (args.chip or available_chips())]
        models = {kind: _bundled_model(f) for kind, f in DEFAULT_MODELS.items()}
        return [(_with_run_options(models[chip.kind], args), chip) for chip in chips]
    chips = [load_chip(name) for name in (args.chip or available_chips())]
    if Path(args.model).suffix.lower() == ".nir":
        chips = chips if args.chip else [chip for chip in chips if chip.kind == "neuromorphic"]
        jobs = []
        for chip in chips:
            try:
                jobs.append((_with_run_options(_nir_graph(args, chip), args), chip))
            except UnsupportedError as exc:
                jobs.append((exc, chip))
        return jobs
    nir_only = [flag for flag in ("dt", "convention", "reset", "reset_mechanism", "reset_delay")
                if getattr(args, flag, None) is not None]
    if nir_only:
        raise SpecError(f"--{nir_only[0].replace('_', '-')}: only applies to NIR (.nir) models; {cut(args.model)} is "
                        f"not one.")
    graph = _with_run_options(load_graph(args.model), args)
    if not args.chip:
        kind = "neuromorphic" if graph.is_spiking() else "mac"
        chips = [chip for chip in chips if chip.kind == kind]
    return [(graph, chip) for chip in chips]


def _inputs_of_kind(graph: Graph, x: np.ndarray, input_kind: str | None) -> np.ndarray:
    """Check ``x`` against ``--input-kind`` and the graph's inputs: ``spikes`` a 0/1 raster (n, T, C), ``values``
    features in [0, 1] (n, C) to rate-encode, ``current`` real values (n, C) for every step or (n, T, C)."""
    if input_kind is None or not graph.is_spiking():
        return x
    kinds = {inp.kind for inp in graph.inputs()}
    wanted = "current" if input_kind == "current" else "spike"
    if kinds != {wanted}:
        raise SpecError(f"--input-kind {input_kind}: model '{graph.name}' has {' and '.join(sorted(kinds)) or 'no'} "
                        f"inputs; expected {wanted} inputs. Hint: a NIR model takes its input kind from "
                        f"--input-kind at import; a saved graph keeps the kind it was built with.")
    dims = {"spikes": (3,), "values": (2,), "current": (2, 3)}[input_kind]
    if np.ndim(x) not in dims:
        shapes = {"spikes": "(n_samples, n_steps, n_channels) of 0/1", "values": "(n_samples, n_channels) in [0, 1]",
                  "current": "(n_samples, n_channels) or (n_samples, n_steps, n_channels)"}[input_kind]
        raise SpecError(f"--input-kind {input_kind}: inputs of shape {np.shape(x)}; expected {shapes}.")
    return x


def _write_record(folder: Path, graph: Graph, chip, recorded: dict) -> Path:
    """One ``.npz`` per run: ``spikes/<population>``, ``v/<population>`` and ``u/<population>``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{graph.name}_{chip.name}.npz"
    np.savez_compressed(path, **{f"{what}/{pop}": values for what, per_pop in recorded.items()
                                 for pop, values in per_pop.items()})
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _command_info(args) -> dict:
    """The command line that made a report, and the SHA-256 of each input file it named."""
    files = {str(getattr(args, key)): _sha256(Path(getattr(args, key))) for key in ("model", "inputs")
             if getattr(args, key, None) is not None and Path(getattr(args, key)).is_file()}
    return {"command": shlex.join(["hwsim", *args.argv]), "input_files": files}


def cmd_run(args) -> int:
    out = output_file("--json", args.json)
    if args.record is not None:
        output_folder("--record", args.record)
    default_job = args.model is None and not args.chip
    plots = args.plots if args.plots is not None else (DEFAULT_PLOTS if default_job else None)
    if plots is not None:
        output_folder("--plots", plots)
    human = sys.stdout if out is not None else sys.stderr    # --json -: the JSON alone on stdout
    jobs = _jobs(args)
    graphs = [g for g, _ in jobs if isinstance(g, Graph)]
    data = {id(g): task_data(g, args.inputs, args.samples) for g in graphs}
    total = sum(len(data[id(g)].x) for g in graphs)
    record = ("spikes", "v", "u") if args.record is not None else ("spikes",) if plots is not None else ()
    reports, failures, warned = [], [], set()
    with tqdm(total=total, unit="sample", disable=not sys.stderr.isatty(), file=sys.stderr) as bar:
        for graph, chip in jobs:
            if not isinstance(graph, Graph):
                failures.append((chip.name, Path(args.model).stem, graph))
                continue
            bar.set_description(f"{graph.name} on {chip.name}")
            task = data[id(graph)]
            try:
                x = _inputs_of_kind(graph, task.x, args.input_kind)
                result = run(graph, chip, x, task.y, task.calibration, progress=bar.update,
                             record=record if graph.is_spiking() else (), realtime=args.realtime)
            except (MappingError, UnsupportedError) as exc:      # this chip cannot take it: the others go on
                failures.append((chip.name, graph.name, exc))
                continue
            result.report.data.update(task.description)
            reports.append(result.report)
            if "warning" in task.description and graph.name not in warned:
                warned.add(graph.name)
                print(f"warning: {task.description['warning']}", file=sys.stderr)
            if result.recorded and args.record is not None:
                print(f"recorded spikes, v and u: {_write_record(Path(args.record), graph, chip, result.recorded)}",
                      file=human)
            if plots is not None:
                plot_run(result.report, chip, result.recorded.get("spikes"), plots)
    if not reports:
        raise failures[0][2]
    if args.model is None and args.inputs is None:     # the default job: the exact circuit's way forward
        for report in [r for r in reports if r.chip_kind == "mac" and not r.checks.get("battery_budget", True)]:
            reports.insert(reports.index(report) + 1, design_report(load_chip(report.chip), **DIGITS_DESIGN))
    print(comparison_table(reports, [(c, m, str(e)) for c, m, e in failures]), file=human)
    if args.markdown:
        for report in reports:
            print(report.to_markdown(), file=human)
    info = _command_info(args)
    for report in reports:
        report.run_info.update(info)
    where = write_text("--json", out, reports_json(reports))
    print(f"full report: {where}", file=human)
    if plots is not None:
        print(f"plots: {cut(plots)}/", file=human)
    return 0


def cmd_claims(args) -> int:
    from hwsim.claims import claims_table

    out = output_file("--json", args.json) if args.json else None
    chips = [load_chip(name) for name in (args.chip or available_chips())]
    if args.chip is None:
        chips = [chip for chip in chips if chip.kind == "neuromorphic"]
    for name, chip in zip(args.chip or (), chips):
        if chip.kind != "neuromorphic":
            raise SpecError(f"--chip {name}: a {chip.kind} chip; expected a spiking (neuromorphic) chip. "
                            f"Hint: hwsim claims re-costs spiking runs; run MLPs with hwsim run.")
    if args.model is None:
        graph = _with_run_options(_bundled_model(DEFAULT_MODELS["neuromorphic"]), args)
        jobs = [(graph, chip) for chip in chips]
    else:
        args.chip = args.chip or [chip.name for chip in chips]
        jobs = _jobs(args)
    if not jobs[0][0].is_spiking():
        raise SpecError(f"model '{jobs[0][0].name}': not a spiking network (no spiking neurons); expected an SNN. "
                        f"Hint: hwsim claims compares an SNN with its bit-matched ANN; run MLPs with hwsim run.")
    data = task_data(jobs[0][0], args.inputs, args.samples)
    reports = []
    for graph, chip in jobs:
        x = _inputs_of_kind(graph, data.x, args.input_kind)
        reports.append(run(graph, chip, x, data.y, data.calibration).report)
    print(f"{reports[0].model}: {reports[0].n_samples} samples, {reports[0].n_steps} steps "
          f"({data.description['source']})")
    print(claims_table(reports))
    if args.json:
        keys = ("chip", "model", "n_samples", "n_steps", "accuracy", "claims")
        where = write_text("--json", out, json.dumps([{k: r.to_dict()[k] for k in keys} for r in reports],
                                                     indent=2, sort_keys=True) + "\n")
        print(f"wrote {where}")
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
        raise SpecError(f"--values: {short(text)} is not a number; expected comma-separated numbers, "
                        f"e.g. 0,0.1,0.2.") from None


def cmd_noise(args) -> int:
    from hwsim.noise import load_noise
    from hwsim.sweep import sweep

    values = [_number(v) for v in args.values.split(",") if v.strip()]
    if not values:
        raise SpecError(f"--values {short(args.values)}: no numbers; expected e.g. 0,0.1,0.2.")
    output_folder("--out", args.out)
    if args.noise is not None:
        if not Path(args.noise).is_file():
            raise SpecError(f"--noise {cut(args.noise)}: no such file; expected a noise spec YAML (see docs/noise.md).")
        spec = load_noise(args.noise)
    else:
        spec = load_noise({"version": 1, "sources": [{"kind": args.kind, args.param: values[0]}]})
    if args.model is None:
        chip = load_chip(args.chip or "loihi")
        graph = _with_run_options(_bundled_model(DEFAULT_MODELS[chip.kind]), args)
    else:
        args.chip = [args.chip or "loihi"]
        graph, chip = _jobs(args)[0]
        if not isinstance(graph, Graph):
            raise graph
    task = task_data(graph, args.inputs, args.samples)
    x, y, cal = task.x, task.y, task.calibration
    if graph.is_spiking():
        x = _inputs_of_kind(graph, x, args.input_kind)
    result = sweep(graph, chip, x, y, spec, args.kind, args.param, values, instances=args.instances,
                   seed=args.seed, calibration=cal, workers=args.workers, scheduler=args.scheduler,
                   out_dir=args.out, progress=True)
    print(f"{graph.name} on {chip.name}: {args.kind}.{args.param}, {args.instances} instances per level, "
          f"{len(x)} samples")
    print(result.table())
    for path in result.write(args.out):
        print(f"wrote {path}")
    return 0


def cmd_noise_compare(args) -> int:
    from hwsim.sweep import SweepResult, plot_comparison

    output_file("--out", args.out)
    results = [SweepResult.from_json(Path(d) / "sweep.json") for d in args.sweeps]
    labels = [t.strip() for t in args.labels.split(",")] if args.labels else [Path(d).name for d in args.sweeps]
    print(f"wrote {plot_comparison(results, labels, args.out)}")
    return 0


def cmd_chips(args) -> int:
    for name in available_chips():
        chip = load_chip(name)
        print(f"{name:16s} {chip.kind:12s} {chip.description}")
    return 0


def _check_and_synthesize(paths: dict, predictions: np.ndarray, chip, top: str, out: Path,
                          estimate: tuple) -> int:
    """iverilog the written design against ``predictions``, yosys it, print hwsim's ``estimate`` beside it.

    ``estimate`` is hwsim's (cells, area_cm2, power_mw, critical_path_ms). Returns the exit status:
    1 on any mismatch.
    """
    from hwsim.printed.eda import INSTALL_HINT, missing_packages, simulate_iverilog, synthesize_yosys

    missing = missing_packages()
    if missing:
        print(f"{', '.join(missing)} not installed: no simulation or synthesis. {INSTALL_HINT}")
        return 0
    design = paths["design"].read_text()
    with tqdm(total=2, desc="iverilog", unit="step", disable=not sys.stderr.isatty(), file=sys.stderr) as bar:
        classes = simulate_iverilog(design, paths["testbench"].read_text())
        bar.set_description("yosys")
        bar.update(1)
        synth = synthesize_yosys(design, chip, top)
        bar.update(1)
    mismatches = int(np.sum(classes != predictions))
    print(f"iverilog: {mismatches} mismatches of {len(classes)} vectors against hwsim's integer model")
    (out / f"{top}_netlist.v").write_text(synth["netlist"])
    summary = {k: v for k, v in synth.items() if k not in ("netlist", "cell_models")}
    (out / f"{top}_synth.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(f"yosys ({synth['seconds']:.0f} s): {synth['n_cells']} cells "
          f"({', '.join(f'{n} {c}' for c, n in synth['cells'].items())}), logic depth {synth['logic_depth']}")
    print(f"{'':24s} {'cells':>8s} {'area_cm2':>10s} {'power_mw':>10s} {'critical_path_ms':>17s}")
    rows = [("yosys + ABC", synth["n_cells"], synth["area_cm2"], synth["power_mw"], synth["critical_path_ms"]),
            ("hwsim estimate", *estimate)]
    for name, cells, area, power, critical in rows:
        print(f"{name:24s} {cells:>8} {area:10.4g} {power:10.4g} {critical:17.4g}")
    print(f"{'hwsim / yosys - 1':24s} {'':8s} {rows[1][2] / rows[0][2] - 1:+10.1%} "
          f"{rows[1][3] / rows[0][3] - 1:+10.1%} {rows[1][4] / rows[0][4] - 1:+17.1%}")
    print(f"wrote {out / f'{top}_netlist.v'} and {out / f'{top}_synth.json'}")
    return 1 if mismatches else 0


def cmd_export_verilog(args) -> int:
    from hwsim.printed.verilog import write_verilog
    from hwsim.quantize import quantize_mlp, quantize_mlp_inputs

    output_folder("--out", args.out)
    chip = load_chip(args.chip)
    graph = _bundled_model(DEFAULT_MODELS["mac"]) if args.model is None else load_graph(args.model)
    task = task_data(graph, args.inputs, args.vectors)
    x, y, cal = task.x, task.y, task.calibration
    result = run(graph, chip, x, y, cal)
    qmlp = quantize_mlp(graph, chip, cal)
    paths = write_verilog(args.out, qmlp, quantize_mlp_inputs(x, chip), result.predictions,
                          chip.arithmetic.input_bits, args.top)
    for path in paths.values():
        print(f"wrote {path}")
    report = result.report
    estimate = (sum(report.cells.values()) or "-", report.area_cm2, report.power_mw,
                report.checks["critical_path_ms"])
    return _check_and_synthesize(paths, result.predictions, chip, args.top, Path(args.out), estimate)


def _printed_task(args) -> tuple[str, Graph, tuple]:
    """The search's or export's task: a bundled dataset and its model, or ``--data`` (with ``--model``, or an MLP
    trained on it here with ``--hidden`` ReLUs); returns its name, the float MLP and its data."""
    from hwsim.models.train_printed import fit_mlp, load_task, load_task_model, load_user_data

    if (args.dataset is None) == (args.data is None):
        raise SpecError("hwsim printed: give --dataset NAME (a bundled task) or --data FILE (your own .npz or "
                        ".csv), exactly one.")
    if args.dataset is not None:
        if args.model is not None:
            raise SpecError("--model: only with --data (a bundled --dataset brings its own model).")
        return args.dataset, load_task_model(args.dataset), load_task(args.dataset)
    name, data = Path(args.data).stem, load_user_data(args.data)
    if args.model is not None:
        return name, load_graph(args.model), data
    graph = fit_mlp(name, data, args.hidden, args.seed, {"dataset": cut(args.data)})
    print(f"trained a {data[0].shape[1]}-{args.hidden}-{graph.node('output').size} MLP on {cut(args.data)}: "
          f"held-out float accuracy {graph.metadata['test_accuracy_float']:.1%}")
    return name, graph, data


def cmd_printed_export(args) -> int:
    from hwsim.printed.cost import adc_line, printed_cost
    from hwsim.printed.search import KNOBS, design_knobs, rebuild_design
    from hwsim.printed.synth import synth_table
    from hwsim.printed.verilog import write_verilog

    output_folder("--out", args.out)
    genes = _genes(args.genes, KNOBS)
    chip = load_chip(args.chip)
    name, model, data = _printed_task(args)
    design = rebuild_design(model, chip, genes, data, seed=args.seed)
    cost = design.cost
    if args.cost == "synth":
        cost = printed_cost(design.qmlp, design.chip, input_widths=design.widths, cost="synth")
    knobs = ", ".join(f"{k}={v}" for k, v in design_knobs(genes).items())
    print(f"{name} design {','.join(map(str, genes))} ({knobs}): test accuracy "
          f"{design.test_accuracy:.1%}, {cost.area_cm2:.2f} cm2, {cost.power_mw:.2f} mW "
          f"({'within' if cost.within_battery else 'over'} the {cost.battery_power_mw:g} mW battery; "
          f"{args.cost} cost)")
    print(adc_line(cost))
    if cost.synth:
        print(synth_table(cost), end="")
    paths = write_verilog(args.out, design.qmlp, design.test_codes, design.test_predictions,
                          design.chip.arithmetic.input_bits, args.top, design.widths)
    for path in paths.values():
        print(f"wrote {path}")
    analytic = design.cost
    estimate = (sum(analytic.cells.values()), analytic.area_cm2, analytic.power_mw, analytic.critical_path_ms)
    return _check_and_synthesize(paths, design.test_predictions, design.chip, args.top, Path(args.out), estimate)


def _genes(text: str, knobs: dict) -> tuple:
    """``--genes 2,0,5,...``: one level index per knob, each within its levels (genes saved before later
    knobs were added, ``EARLIER_GENE_LENGTHS``, get those knobs at their exact level 0)."""
    from hwsim.printed.search import EARLIER_GENE_LENGTHS

    try:
        genes = tuple(int(g) for g in text.split(","))
    except ValueError:
        genes = ()
    sizes = [len(levels) for levels in knobs.values()]
    if len(genes) in EARLIER_GENE_LENGTHS:
        genes += (0,) * (len(sizes) - len(genes))
    if len(genes) != len(sizes) or any(not 0 <= g < n for g, n in zip(genes, sizes)):
        raise SpecError(f"hwsim printed export: --genes {short(text)}; expected {len(sizes)} comma-separated level "
                        f"indices, one per knob ({', '.join(f'{k} 0..{n - 1}' for k, n in zip(knobs, sizes))}). "
                        f"Hint: copy 'genes' from the search's <dataset>_pareto.json.")
    return genes


def cmd_printed_baselines(args) -> int:
    from hwsim.printed.baselines import trained_models_table, validate, validation_table

    chip = load_chip(args.chip)
    how = "yosys + ABC synthesis of hwsim's Verilog" if args.cost == "synth" else "hwsim's gate-level model"
    print(f"published bespoke MLP-C baselines vs {how} on {chip.name} (logic only, no ADCs; clock rule: a path "
          f"within {chip.timing['clock_ms'].value:g} ms runs at that clock, a longer one stretches the period to "
          f"the path)")
    print(validation_table(validate(chip, args.cost)))
    print(f"hwsim's bundled trained MLPs (scikit-learn datasets, exact 8-bit weights) on {chip.name}; "
          f"no published figure to compare")
    print(trained_models_table(chip))
    from hwsim.printed import published

    print(f"published designs rebuilt from their Verilog (models/printed/) vs {how} on {chip.name} (logic only)")
    print(published.validation_table(published.validate(chip, cost=args.cost)))
    return 0


def cmd_printed_search(args) -> int:
    from hwsim.printed.search import front_table, search

    output_folder("--out", args.out)
    chip = load_chip(args.chip)
    name, model, data = _printed_task(args)
    result = search(model, chip, data, name, population=args.population, generations=args.generations,
                    seed=args.seed, adc=args.adc or args.adc_pruned, progress=True, adc_pruned=args.adc_pruned)
    print(f"{name} on {chip.name}: {len(result.designs)} designs evaluated (seed {args.seed}); "
          f"battery {result.battery_power_mw:g} mW")
    print(front_table(result))
    for path in result.write(args.out):
        print(f"wrote {path}")
    return 0


#: Upper bounds of the command line's counts (beyond them a run cannot finish on a workstation).
MAX_STEPS, MAX_INSTANCES, MAX_WORKERS = 10 ** 7, 10 ** 6, 1024


def _share_run_options(parser: argparse.ArgumentParser, run_parser: argparse.ArgumentParser, nir_group,
                       flags: tuple) -> None:
    """Give ``parser`` the ``flags`` of ``hwsim run`` and its NIR options, as the same argparse actions."""
    for flag in flags:
        parser._add_action(next(a for a in run_parser._actions if flag in a.option_strings))
    group = parser.add_argument_group("NIR models (.nir)")
    for action in nir_group._group_actions:
        group._add_action(action)


def _cost_option(parser: argparse.ArgumentParser) -> None:
    """``--cost analytic|synth`` of the printed subcommands (:data:`hwsim.printed.cost.COST_MODES`)."""
    parser.add_argument("--cost", choices=COST_MODES, default="analytic",
                        help="analytic: hwsim's gate-count model (default, fast); synth: yosys + ABC on the circuit's "
                             "Verilog (cached by its hash; needs 'python -m hwsim.printed.eda'), with the analytic "
                             "figures and their difference beside it")


def _printed_data_options(parser: argparse.ArgumentParser, dataset_help: str) -> None:
    """``--dataset`` (a bundled task) or ``--data FILE`` with ``--model`` / ``--hidden``, for printed search and
    export."""
    parser.add_argument("--dataset", choices=("breast_cancer", "digits", "iris", "wine"), help=dataset_help)
    parser.add_argument("--data", metavar="FILE", help="your own dataset instead: .npz with x, y (optionally "
                                                       "x_test, y_test) or .csv with the class in the last column")
    parser.add_argument("--model", metavar="MLP.npz", help="with --data: your trained MLP (hwsim.save_graph); "
                                                           "default: train one here")
    parser.add_argument("--hidden", type=integer_in(1, 1024), default=3,
                        help="with --data and no --model: hidden ReLUs of the MLP trained here (default 3)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hwsim", description="Neuromorphic hardware simulator and energy estimator.")
    parser.add_argument("--version", action="version", version=f"hwsim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    p_run = sub.add_parser("run", help="simulate a model on chips and print the comparison table")
    p_run.add_argument("model", nargs="?", help="graph file (.npz from hwsim.save_graph, or a .nir with --dt and "
                                                "--convention); default: the bundled digits models on every "
                                                "bundled chip")
    p_run.add_argument("--chip", action="append", help="chip profile name or YAML path (repeatable)")
    p_run.add_argument("--inputs", help=".npz with 'x' (values or spike raster), optional 'y' and 'calibration'")
    p_run.add_argument("--samples", type=integer_in(1, 10 ** 9), help="only the first N samples")
    p_run.add_argument("--json", default="hwsim_report.json", help="where to write the full JSON report")
    p_run.add_argument("--markdown", action="store_true", help="also print each full report")
    p_run.add_argument("--input-kind", choices=INPUT_KINDS,
                       help="how to read x: 'spikes' (0/1 raster n x T x C; float 0/1 too), 'values' (n x C in "
                            "[0, 1], rate-encoded with --encoding over --steps), 'current' (real-valued direct "
                            "input: n x C fed at every one of --steps steps, or n x T x C); a NIR model's inputs "
                            "take this kind (default: spikes for a raster, values to encode otherwise)")
    p_run.add_argument("--task", choices=TASKS, help="use the bundled task's held-out split as inputs (hwsim's "
                                                     "split: it may overlap your model's training data)")
    p_run.add_argument("--steps", type=integer_in(1, MAX_STEPS),
                       help="steps per sample for values and constant currents")
    p_run.add_argument("--encoding", choices=("regular", "bernoulli"), help="rate encoding of values")
    p_run.add_argument("--seed", type=integer_in(0, MAX_SEED), default=0,
                       help="seed of the bernoulli encoding (default 0)")
    p_run.add_argument("--record", metavar="DIR", help="write each run's spikes and final v, u per population "
                                                       "to DIR/<model>_<chip>.npz")
    p_run.add_argument("--plots", metavar="DIR", help=f"draw each run's energy by action, core utilisation and "
                                                      f"spike activity to DIR (hwsim run alone: {DEFAULT_PLOTS}/)")
    p_run.add_argument("--realtime", choices=REALTIME_MODES, default="scale",
                       help="real-time chips (SpiNNaker) whose cores overrun the tick: 'scale' slows the tick by the "
                            "time-scale factor the busiest core needs (default), 'pin' keeps it and reports the "
                            "cores that overrun")
    nir_opts = p_run.add_argument_group("NIR models (.nir)")
    nir_opts.add_argument("--dt", type=float, help="seconds per step (required; snnTorch exports: 1e-4)")
    nir_opts.add_argument("--convention", choices=("snntorch", "norse", "literal"),
                          help="how the file's r / w_in are meant (required)")
    nir_opts.add_argument("--reset", choices=RESET_MODES,
                          help="IR reset of every spiking layer (default value: NIR's own meaning)")
    nir_opts.add_argument("--reset-mechanism", choices=("subtract", "zero", "none"),
                          help="snnTorch's reset_mechanism of every layer (convention snntorch; each layer's IR "
                               "reset then follows its snnTorch class; docs/frameworks.md)")
    nir_opts.add_argument("--reset-delay", action=argparse.BooleanOptionalAction, default=None,
                          help="snnTorch's reset_delay (default: snnTorch's, True), with --reset-mechanism")
    p_run.set_defaults(func=cmd_run)
    p_claims = sub.add_parser("claims", help="the op-count proxy, the chip's energy and a bit-matched quantised ANN "
                                             "side by side, and the break-even spike rate (docs/claims.md)")
    p_claims.add_argument("model", nargs="?", help="spiking graph (.npz, or .nir with --dt and --convention); "
                                                   "default: the bundled digits SNN")
    p_claims.add_argument("--chip", action="append", help="chip profile name or YAML path (repeatable; default: "
                                                          "every bundled spiking chip)")
    p_claims.add_argument("--json", help="also write the claims of every chip to this JSON file")
    _share_run_options(p_claims, p_run, nir_opts,
                       ("--inputs", "--samples", "--input-kind", "--task", "--steps", "--encoding", "--seed"))
    p_claims.set_defaults(func=cmd_claims)
    p_noise = sub.add_parser("noise", help="robustness sweep: accuracy, spikes and energy vs one noise parameter")
    p_noise.add_argument("model", nargs="?", help="graph file (.npz from hwsim.save_graph, or a .nir with --dt and "
                                                  "--convention); default: the bundled "
                                                  "digits model for the chip's kind")
    p_noise.add_argument("--noise", help="noise spec YAML; default: a spec with just --kind")
    p_noise.add_argument("--kind", required=True, help="noise source to sweep, e.g. weight_variation")
    p_noise.add_argument("--param", required=True, help="its parameter, e.g. sigma")
    p_noise.add_argument("--values", required=True, help="comma-separated levels, e.g. 0,0.1,0.2,0.3")
    p_noise.add_argument("--instances", type=integer_in(1, MAX_INSTANCES), default=10,
                         help="chip instances per level (default 10)")
    p_noise.add_argument("--seed", type=integer_in(0, MAX_SEED), default=0, help="sweep seed (default 0)")
    p_noise.add_argument("--chip", help="chip profile name or YAML path (default loihi)")
    p_noise.add_argument("--inputs", help=".npz with 'x' (values or spike raster), optional 'y' and 'calibration'")
    p_noise.add_argument("--samples", type=integer_in(1, 10 ** 9), help="only the first N samples")
    p_noise.add_argument("--workers", type=integer_in(1, MAX_WORKERS),
                         help="processes computing points, this one included (default 1: in-process, the kernel's "
                              "threads use every core; N: this one and N-1 helpers, faster for long sweeps)")
    p_noise.add_argument("--scheduler", help="Dask scheduler address tcp://HOST:PORT (instead of local workers)")
    p_noise.add_argument("--out", default="hwsim_noise", help="output folder; finished points are kept in "
                                                              "points.jsonl and a rerun resumes (default "
                                                              "hwsim_noise/)")
    _share_run_options(p_noise, p_run, nir_opts, ("--input-kind", "--task", "--steps", "--encoding"))
    p_noise.set_defaults(func=cmd_noise)
    p_cmp = sub.add_parser("noise-compare", help="overlay the accuracy curves of finished sweeps of one noise "
                                                 "parameter (e.g. before and after noise-aware training)")
    p_cmp.add_argument("sweeps", nargs="+", help="output folders of hwsim noise (each with sweep.json)")
    p_cmp.add_argument("--labels", help="comma-separated curve labels (default: the folder names)")
    p_cmp.add_argument("--out", default="noise_compare.png", help="PNG to write (default noise_compare.png)")
    p_cmp.set_defaults(func=cmd_noise_compare)
    p_verilog = sub.add_parser("export-verilog", help="write a printed MLP as Verilog with a testbench; "
                                                      "check it in iverilog and synthesise it with yosys")
    p_verilog.add_argument("model", nargs="?", help="MLP graph file (.npz from hwsim.save_graph); default: the "
                                                    "bundled digits MLP")
    p_verilog.add_argument("--chip", default="printed_egfet", help="mac chip profile name or YAML path "
                                                                   "(default printed_egfet)")
    p_verilog.add_argument("--inputs", help=".npz with 'x' (values in [0, 1]), optional 'calibration'")
    p_verilog.add_argument("--vectors", type=integer_in(1, 10 ** 9),
                           help="test vectors: the first N samples (default all)")
    p_verilog.add_argument("--top", default="mlp", help="Verilog module name (default mlp)")
    p_verilog.add_argument("--out", default="hwsim_verilog", help="output folder (default hwsim_verilog/)")
    p_verilog.set_defaults(func=cmd_export_verilog)
    p_printed = sub.add_parser("printed",
                               help="printed (EGFET) bespoke MLPs: published baselines, approximation search")
    printed_sub = p_printed.add_subparsers(dest="printed_command", required=True)
    p_base = printed_sub.add_parser("baselines", help="hwsim's gate-level cost of the published baselines vs their "
                                                      "published area and power")
    p_base.add_argument("--chip", default="printed_egfet", help="mac profile with cells (default printed_egfet)")
    _cost_option(p_base)
    p_base.set_defaults(func=cmd_printed_baselines)
    p_search = printed_sub.add_parser("search", help="genetic search of approximations: accuracy vs area Pareto front")
    _printed_data_options(p_search, "bundled trained MLP and its scikit-learn dataset")
    p_search.add_argument("--chip", default="printed_egfet", help="mac profile with cells (default printed_egfet)")
    p_search.add_argument("--population", type=integer_in(2, 10 ** 4), default=24,
                          help="designs per generation (default 24)")
    p_search.add_argument("--generations", type=integer_in(1, 10 ** 4), default=15, help="generations (default 15)")
    p_search.add_argument("--seed", type=integer_in(0, MAX_SEED), default=0, help="search seed (default 0)")
    p_search.add_argument("--adc", action="store_true", help="count one input ADC per used input in area and power")
    p_search.add_argument("--adc-pruned", action="store_true",
                          help="count the input ADCs as pruned flash ADCs, priced by the comparators each keeps "
                               "(Afentaki et al., ESL 2024; implies --adc)")
    p_search.add_argument("--out", default="hwsim_printed", help="folder for <dataset>_pareto.json/.png "
                                                                 "(default hwsim_printed/)")
    p_search.set_defaults(func=cmd_printed_search)
    p_export = printed_sub.add_parser("export", help="rebuild one searched design, write its Verilog and test "
                                                     "bench, check it in iverilog and synthesise it with yosys")
    _printed_data_options(p_export, "bundled trained MLP and its scikit-learn dataset (the test split is the "
                                    "vectors)")
    p_export.add_argument("--genes", required=True, help="the design: comma-separated level index per knob, "
                                                         "as 'genes' in the search's <dataset>_pareto.json")
    p_export.add_argument("--chip", default="printed_egfet", help="mac profile with cells (default printed_egfet)")
    _cost_option(p_export)
    p_export.add_argument("--seed", type=integer_in(0, MAX_SEED), default=0,
                          help="the search seed the design came from (default 0)")
    p_export.add_argument("--top", default="mlp", help="Verilog module name (default mlp)")
    p_export.add_argument("--out", default="hwsim_printed_design", help="output folder (default "
                                                                        "hwsim_printed_design/)")
    p_export.set_defaults(func=cmd_printed_export)
    p_chips = sub.add_parser("chips", help="list the bundled chip profiles")
    p_chips.set_defaults(func=cmd_chips)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``hwsim`` command; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:       # argparse's own refusal (status 2) or --help (0), as a status
        return exc.code if isinstance(exc.code, int) else 2
    args.argv = argv
    return exit_status("hwsim", lambda: args.func(args), failure=2)


if __name__ == "__main__":
    sys.exit(main())
