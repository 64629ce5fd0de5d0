"""hwsim's energy against measured silicon: the rows of ``docs/validation.md``.

Run ``python -m bench.validate`` (all rows, ~7 min on 2 cores: four PilotNet runs take most of it) to rewrite
``bench/validation.json`` and the generated table of ``docs/validation.md``; ``--fast`` skips the
PilotNet simulation and keeps its row from the JSON. Measured references are read from the files
they were published in (``models/data/kws_abr``: Blouw et al. 2019's Loihi power logs;
``models/data/pilotnet_lava_dl``: lava-dl's committed Loihi 2 benchmark outputs), never typed in.

Each row says whether it calibrates a constant (the constant was taken from it) or validates one
(no constant was set from it), and what activity was assumed where the inputs are not public.
"""
from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import re
import time
from pathlib import Path

import numpy as np

from bench.results_md import machine, write_section
from hwsim.chips import ChipProfile, load_chip
from hwsim.interop.netx import import_netx
from hwsim.ir import Graph
from hwsim.pipeline import run

ROOT = Path(__file__).resolve().parent.parent
KWS = ROOT / "models" / "data" / "kws_abr"
PILOTNET = ROOT / "models" / "data" / "pilotnet_lava_dl"
RESULTS = ROOT / "bench" / "validation.json"
DOC = ROOT / "docs" / "validation.md"
SECTION = "validate.py"  # the generated block of docs/validation.md (bench.results_md markers)
COMMAND = "python -m bench.validate"
FAST = f"{COMMAND} --fast"  # recomputes every row but the PilotNet simulations

KWS_STEPS = 10          # steps per inference: nengo-loihi's keyword-spotting example shows each frame 10 x 1 ms
KWS_INPUT_RATE_MAX = 0.2  # assumed input activity: values uniform in [0, 0.2] rate-coded (mean 0.1 spike/step)
KWS_SEED = 0
X86_OVERHEAD_W = 0.070  # Blouw et al. 2019, discussion: ~70 mW of the dynamic power is x86 post-boot idle overhead
# Hala Point (Intel press release, April 2024; reference/validation_targets.md [S]): 1,152 Loihi 2 chips,
# at most 2,600 W, up to 380 trillion 8-bit synaptic operations per second.
HALA_POINT_W, HALA_POINT_SYNOPS_PER_S = 2600.0, 380e12
PILOTNET_STEPS = 16     # lava-dl benchmark: reset_interval 16 = steps per frame
PILOTNET_FRAME = 0.5    # assumed frame: every pixel 0.5 (the dataset frames are not public)
PILOTNET_FRAMES_SENSITIVITY = (0.25, 0.75)  # the same with darker and brighter frames
PILOTNET_NEURONS_PER_CORE = 3168  # lava-dl's benchmark mapping: at most 3,168 neurons per core


# ------------------------------------------------------------------ measured references
def _rows(path: Path) -> list[dict]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def kws_measured() -> dict:
    """Blouw et al. 2019 Table 1 recomputed from the Loihi logs: the paper's method (mean power during
    the inference loop minus mean idle power, divided by inferences per second), also per rail."""
    rails = ("Total Power (W)", "P_VDD", "P_VDDM")
    running, idle, rates = [], [], []
    for meta_path in sorted((KWS / "logs").glob("running_run*.json")):
        meta = json.loads(meta_path.read_text())
        log = [r for r in _rows(meta_path.with_suffix(".csv")) if meta["start_time"] <= r["Time"] <= meta["end_time"]]
        running += [[float(r[k]) for k in rails] for r in log]
        start, end = (np.datetime64(meta[k].replace("_", "T")) for k in ("start_time", "end_time"))
        rates.append(meta["n_inferences"] / ((end - start) / np.timedelta64(1, "us") * 1e-6))
    for path in sorted((KWS / "logs").glob("idle_run*.csv")):
        idle += [[float(r[k]) for k in rails] for r in _rows(path)]
    run_w, idle_w = np.mean(running, axis=0), np.mean(idle, axis=0)
    rate = float(np.mean(rates))
    dyn = run_w - idle_w
    return {"inferences_per_s": rate, "idle_w": float(idle_w[0]), "idle_vdd_w": float(idle_w[1]),
            "idle_vddm_w": float(idle_w[2]), "running_w": float(run_w[0]), "dynamic_w": float(dyn[0]),
            "dynamic_vdd_w": float(dyn[1]), "dynamic_vddm_w": float(dyn[2]),
            "dynamic_uj_per_inference": float(dyn[0]) / rate * 1e6}


def lava_benchmark(name: str) -> dict:
    """The printed outputs of a lava-dl Loihi 2 benchmark notebook, as numbers (W, fps, mJ)."""
    text = (PILOTNET / f"{name}_benchmark_output.txt").read_text()
    keys = {"Throughput": "fps", "Total Power": "total_w", "Dynamic Power": "dynamic_w",
            "Static Power": "static_w", "VDD Power": "vdd_w", "VDD-M Power": "vddm_w", "VDD-IO Power": "vddio_w",
            "Total Energy per inference": "total_mj", "Dynamic Energy per inference": "dynamic_mj"}
    out = {}
    for line in text.splitlines():
        label, value = (part.strip() for part in line.split(":", 1))
        out[keys[label]] = float(re.match(r"-?[0-9.]+", value).group())
    return out


# ------------------------------------------------------------------ hwsim runs
def kws_graph(saturated: bool = False) -> Graph:
    """The keyword spotter (390 -> 256 -> 256 -> 29) as a rate-coded spiking network: ReLU layers become
    non-leaky integrate-and-fire neurons (threshold 1, input current lasting one step), the output an
    integrator read at the end. ``saturated`` raises every bias so each neuron fires at every step."""
    w = np.load(KWS / "inference_weights.npz")
    graph = Graph("kws_blouw2019", 1e-3, metadata={"n_steps": KWS_STEPS})
    graph.add_input("mfcc", 390)
    pre = "mfcc"
    for name, key in (("hidden1", "char_layer_0"), ("hidden2", "char_layer_1")):
        bias = np.full(256, 2.0) if saturated else w[f"{key}__biases"]
        graph.add_population(name, 256, "lif", decay_syn=1.0, decay_mem=0.0, v_th=1.0, bias=bias)
        graph.add_projection(pre, name, w[f"{key}__weights"].T)
        pre = name
    graph.add_population("chars", 29, "li", decay_syn=1.0, decay_mem=0.0, bias=w["char_output__biases"])
    graph.add_projection(pre, "chars", w["char_output__weights"].T)
    graph.add_output("out", "chars", "v_final")
    return graph


def kws_hwsim(chip: ChipProfile, saturated: bool = False) -> float:
    """hwsim's dynamic energy per inference (uJ) of the keyword spotter on ``chip``."""
    if saturated:
        x = np.ones((1, KWS_STEPS, 390), dtype=np.uint8)
    else:
        x = np.random.default_rng(KWS_SEED).uniform(0.0, KWS_INPUT_RATE_MAX, size=(8, 390))
    return run(kws_graph(saturated), chip, x, n_steps=KWS_STEPS).report.dynamic_energy_per_inference_uj


def pilotnet_chip() -> ChipProfile:
    """loihi2 with lava-dl's placement density (3,168 neurons per core) and its conv kernels shared:
    hwsim's mapper stores every conv synapse, so the synaptic-memory and fan-in limits are lifted."""
    chip = load_chip("loihi2")
    cap = dataclasses.replace(chip.capacity, neurons_per_core=PILOTNET_NEURONS_PER_CORE,
                              synapse_memory_bits_per_core=2 ** 40, fan_in_per_core=2 ** 30,
                              fan_out_per_core=2 ** 30)
    return dataclasses.replace(chip, capacity=cap)


def column_major(graph: Graph, shapes: dict) -> Graph:
    """``graph`` with the neurons of each population of ``shapes`` (C, H, W) renumbered in (W, H, C) order,
    so that hwsim's mapper, which fills cores with consecutive neurons, cuts a conv layer into tiles of whole
    columns (all rows and channels) as Lava's compiler does, instead of into groups of channels."""
    perm = {name: np.arange(int(np.prod(shape))).reshape(shape).transpose(2, 1, 0).ravel()
            for name, shape in shapes.items()}
    new = Graph(graph.name, graph.dt_s, metadata=dict(graph.metadata))
    for pop in graph.populations():
        order = perm.get(pop.name, slice(None))
        new.add_population(pop.name, pop.size, pop.model, pop.reset, n_receptors=pop.n_receptors,
                           initial={k: v[..., order] for k, v in pop.initial.items()} or None,
                           **{k: v[..., order] for k, v in pop.params.items()})
    for proj in graph.projections():
        precision = {"weight_bits": proj.weight_bits, "sign_mode": proj.sign_mode, "weight_exp": proj.weight_exp}
        if proj.is_sparse:
            inverse = {end: np.argsort(perm[name]) if name in perm else None
                       for end, name in (("pre", proj.pre), ("post", proj.post))}
            pre, post = (idx if inverse[end] is None else inverse[end][idx]
                         for end, idx in (("pre", proj.pre_index), ("post", proj.post_index)))
            new.add_projection(proj.pre, proj.post, proj.weight, pre, post, proj.delay_steps, name=proj.name,
                               receptor=proj.receptor, **precision)
        else:
            cols = perm.get(proj.pre, slice(None))
            rows = perm.get(proj.post, slice(None))
            delays = proj.delay_steps if proj.delay_steps.ndim < 2 else proj.delay_steps[rows][:, cols]
            new.add_projection(proj.pre, proj.post, proj.weight[rows][:, cols], delay_steps=delays,
                               name=proj.name, receptor=proj.receptor, **precision)
    for out in graph.outputs():
        new.add_output(out.name, out.source, out.readout)
    return new.validate()


def pilotnet_hwsim(pixel: float = PILOTNET_FRAME, columns: bool = True) -> dict:
    """PilotNet LIF on loihi2, one frame of uniform ``pixel`` repeated, 16 steps per frame as the benchmark;
    ``columns``: conv layers placed in tiles of whole columns (:func:`column_major`), else hwsim's own order."""
    import h5py
    with h5py.File(PILOTNET / "pilotnet_snn.net", "r") as f:
        weight, bias = float(f["layer/0/weight"][()]), float(f["layer/0/bias"][()])
        shapes = {f"layer{i}": tuple(int(n) for n in f[f"layer/{i}/shape"][()]) for i in range(len(f["layer"]))
                  if f[f"layer/{i}/type"][0] in (b"input", b"conv")}
    frame = np.full((3, 66, 200), pixel)
    # lava-dl's PilotNetDataset transform: bias = 2 w x - w + b, truncated to int32
    input_bias = (2 * weight * frame - weight + bias).astype(np.int32)
    graph = import_netx(PILOTNET / "pilotnet_snn.net", input_bias=input_bias)
    if columns:
        graph = column_major(graph, shapes)
    report = run(graph, pilotnet_chip(), None, n_steps=PILOTNET_STEPS).report
    return {"dynamic_uj": report.dynamic_energy_per_inference_uj,
            "latency_us": report.latency_per_inference_us, "cores_used": report.cores_used,
            "ops": report.ops_per_inference, "by_action_uj": report.energy_by_action_uj,
            "by_rail_uj": report.energy_by_rail_uj}


# ------------------------------------------------------------------ rows
def _row(name: str, role: str, measured: float, hwsim: float, unit: str, assumed: str) -> dict:
    """One row; its command is ``--fast`` (the PilotNet rows say the full command)."""
    return {"name": name, "role": role, "measured": measured, "hwsim": hwsim, "unit": unit,
            "error_pct": 100.0 * (hwsim - measured) / measured, "assumed": assumed, "command": FAST}


def cheap_rows() -> list[dict]:
    """Rows that take seconds: keyword spotting on Loihi 1 and the static power rows."""
    kws = kws_measured()
    rows = []
    for chip_name in ("loihi", "loihi_sanafe"):
        chip = load_chip(chip_name)
        rows.append(_row(f"KWS dynamic energy per inference, {chip_name}", "validates (estimate: inputs not public)",
                         kws["dynamic_uj_per_inference"], kws_hwsim(chip), "uJ",
                         f"{KWS_STEPS} steps per inference; inputs rate-coded from values uniform in "
                         f"[0, {KWS_INPUT_RATE_MAX}] (seed {KWS_SEED}, mean 0.1 spike per step); "
                         "ReLU layers as IF neurons"))
        rows.append(_row(f"KWS dynamic energy per inference, {chip_name}, every neuron firing every step",
                         "bound (no activity assumed)", kws["dynamic_uj_per_inference"],
                         kws_hwsim(chip, saturated=True), "uJ",
                         "every input and hidden neuron spikes at every step: the most hwsim can charge"))
        rows.append(_row(f"KWS mesh dynamic energy per inference (less the ~70 mW x86 overhead), {chip_name}",
                         "validates (estimate: inputs not public)",
                         (kws["dynamic_w"] - X86_OVERHEAD_W) / kws["inferences_per_s"] * 1e6, rows[-2]["hwsim"],
                         "uJ", "Blouw et al.'s own estimate of the x86 share (70 mW) taken off the measurement"))
    loihi = load_chip("loihi")
    rows.append(_row("Loihi 1 idle power per chip (Wolf Mountain, KWS logs), loihi", "validates",
                     kws["idle_w"] * 1e3, loihi.static_power_mw["chip"].value, "mW",
                     "idle after boot, 0.75 V VDD / 0.90 V VDDM (the logs' voltages)"))
    loihi2 = load_chip("loihi2")
    sdnn, snn = lava_benchmark("pilotnet_sdnn"), lava_benchmark("pilotnet_snn")
    rows.append(_row("Loihi 2 static power, PilotNet SDNN run (its own idle measurement), loihi2", "calibrates",
                     sdnn["static_w"] * 1e3, loihi2.static_power_mw["chip"].value, "mW",
                     "the profile's rail static powers are this run's rail readings"))
    rows.append(_row("Loihi 2 static power, PilotNet SNN run, loihi2", "validates",
                     snn["static_w"] * 1e3, loihi2.static_power_mw["chip"].value, "mW", "-"))
    words = loihi2.capacity.bits_per_synapse / loihi2.capacity.memory_word_bits
    rows.append(_row("Hala Point: energy per synaptic op at its maximum power (an upper bound), loihi2",
                     "bound (press figures, workload not stated)", HALA_POINT_W / HALA_POINT_SYNOPS_PER_S * 1e12,
                     loihi2.energy_pj["synop"].value + words * loihi2.energy_pj["mem_read"].value, "pJ",
                     "hwsim: synop + its share of a synaptic-memory word (24 of 64 bits), no neuron or static energy"))
    return rows


def pilotnet_runs() -> dict:
    """The hwsim runs behind the PilotNet rows, keyed ``columns_<pixel>`` and ``own_order_<pixel>``."""
    runs = {f"columns_{PILOTNET_FRAME}": pilotnet_hwsim(),
            f"own_order_{PILOTNET_FRAME}": pilotnet_hwsim(columns=False)}
    runs.update({f"columns_{pixel}": pilotnet_hwsim(pixel) for pixel in PILOTNET_FRAMES_SENSITIVITY})
    return runs


def pilotnet_rows(runs: dict) -> list[dict]:
    """PilotNet LIF on Loihi 2: dynamic energy per frame (placements and frames), per rail, time per frame."""
    snn = lava_benchmark("pilotnet_snn")
    chip = load_chip("loihi2")
    static_share = {r: c.value / chip.static_power_mw["chip"].value for r, c in chip.rail_static_power_mw.items()}
    role = "validates (estimate: frames not public)"
    setup = (f"{PILOTNET_STEPS} steps per frame; {PILOTNET_NEURONS_PER_CORE} neurons per core, conv kernels "
             f"shared (mapping limits lifted)")

    def assumed(pixel, columns=True):
        placement = "conv layers in tiles of whole columns as Lava" if columns else "hwsim's own (C, H, W) order"
        return f"one frame of uniform pixels {pixel} repeated; {placement}; {setup}"

    main = runs[f"columns_{PILOTNET_FRAME}"]
    rows = [_row("PilotNet LIF dynamic energy per frame, loihi2", role, snn["dynamic_mj"] * 1e3,
                 main["dynamic_uj"], "uJ", assumed(PILOTNET_FRAME))]
    for rail, key in (("vdd", "vdd_w"), ("vdd_m", "vddm_w")):
        # the run's rail reading less its share of the measured static power (split as the SDNN run's rails)
        measured = (snn[key] - static_share[rail] * snn["static_w"]) / snn["fps"] * 1e6
        rows.append(_row(f"PilotNet LIF dynamic energy per frame on {rail}, loihi2", role, measured,
                         main["by_rail_uj"][rail]["dynamic"], "uJ",
                         "measured rail power less static split as the SDNN run's rails; " + assumed(PILOTNET_FRAME)))
    rows.append(_row("PilotNet LIF time per frame, loihi2", role, 1e6 / snn["fps"], main["latency_us"], "us",
                     assumed(PILOTNET_FRAME)))
    rows.append(_row("PilotNet LIF dynamic energy per frame, loihi2, hwsim's own neuron order", role,
                     snn["dynamic_mj"] * 1e3, runs[f"own_order_{PILOTNET_FRAME}"]["dynamic_uj"], "uJ",
                     assumed(PILOTNET_FRAME, columns=False)))
    for pixel in PILOTNET_FRAMES_SENSITIVITY:
        rows.append(_row(f"PilotNet LIF dynamic energy per frame, loihi2, frame {pixel} (sensitivity)", role,
                         snn["dynamic_mj"] * 1e3, runs[f"columns_{pixel}"]["dynamic_uj"], "uJ", assumed(pixel)))
    return [dict(row, command=COMMAND) for row in rows]


# ------------------------------------------------------------------ outputs
def table(rows: list[dict]) -> str:
    """The Markdown table of ``docs/validation.md``."""
    lines = ["| check | role | measured | hwsim | error | assumed | command |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['name']} | {r['role']} | {r['measured']:.4g} {r['unit']} | {r['hwsim']:.4g} {r['unit']} "
                     f"| {r['error_pct']:+.1f} % | {r['assumed']} | `{r['command']}` |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="keep the PilotNet rows of bench/validation.json")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    rows = cheap_rows()
    if args.fast:
        old = json.loads(RESULTS.read_text())
        pilotnet, result = [r for r in old["rows"] if r["name"].startswith("PilotNet")], old["pilotnet"]
    else:
        result = pilotnet_runs()
        pilotnet = pilotnet_rows(result)
    rows += pilotnet
    RESULTS.write_text(json.dumps({"rows": rows, "kws_measured": kws_measured(), "pilotnet": result},
                                  indent=2, sort_keys=True) + "\n")
    write_section(SECTION, table(rows), DOC)
    if not args.fast:
        write_section("validate", f"## hwsim against measured silicon (docs/validation.md)\n\nMachine: {machine()}. "
                      f"Command: `{COMMAND}` ({time.perf_counter() - start:.0f} s). What each row assumed, "
                      f"calibrates or validates: docs/validation.md.\n\n{table(rows)}")
    print(table(rows))


if __name__ == "__main__":
    main()
