"""Genetic search for accuracy vs area Pareto fronts of approximate printed MLPs.

A design is one level of each knob of :data:`KNOBS` (index 0 = exact), applied to a trained
float graph (:func:`build_design`): the inputs are read with ``input_bits``-bit ADC codes,
except that with ``wide_inputs < 1`` only that fraction of them, the most important on the
training split (:func:`input_widths`), keeps every bit and the others are read at 1 bit (the
top bit of their code, :func:`input_codes`; their adders are 1 bit wide); the hidden layer
keeps its ``hidden_kept`` most important neurons (0: no hidden layer, one dense layer from
inputs to classes); then the circuit is built in a fixed order
(:func:`circuit`): quantise the weights to ``weight_bits``, drop the least important inputs,
prune the smallest weights, then either round every weight to a power of two or replace it
by the cheapest constant within ``coefficient_tolerance``, then truncate each hidden
accumulator and saturate each hidden activation, then mask the small partial products of every
layer (:func:`mask_products`, ``mask_fraction``) and, with ``axsum_bits >= 0``, sum every layer
by AxSum with that many low product bits dropped (:func:`hwsim.printed.approx.axsum`), and let
every comparator of the argmax tree ignore ``argmax_bits`` low bits
(:func:`hwsim.printed.approx.approximate_argmax`). With
``retrain_epochs > 0`` the float weights are first retrained through that very circuit
(:mod:`hwsim.printed.retrain`, straight-through gradients), starting from the graph fine-tuned at the design's input width
and hidden size with exact 8-bit weights (shared by every design of that width and size).
Each design is costed by :func:`hwsim.printed.cost.printed_cost` and its accuracy measured by
hwsim's integer kernel on the training split (the search objective) and the test split
(reported, never used to choose).

The search is NSGA-II (Deb et al. 2002), as the seed papers' genetic design-space
exploration: a population of designs, binary tournaments on (Pareto rank, crowding
distance), uniform crossover and +/- 1 level mutations, elitist survival; minimising
``(1 - training accuracy, area)``. Every random choice comes from one
``numpy.random.default_rng(seed)``, so a seed fixes the front. The reported front is the
non-dominated set of every design evaluated.
"""
from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
from tqdm import tqdm

from hwsim.chips import ChipProfile
from hwsim.errors import SpecError
from hwsim.ir import Graph
from hwsim.printed import approx
from hwsim.printed.cost import PrintedCost, printed_cost
from hwsim.printed.retrain import chain_layers, resize_hidden, retrain
from hwsim.qmlp import QuantizedMLP
from hwsim.quantize import quantize_mlp_inputs

#: Knob -> its levels, from exact (index 0) to most approximate.
KNOBS: dict[str, tuple] = {
    "input_bits": (4, 3, 2, 1),
    "wide_inputs": (1.0, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1),
    "hidden_kept": (1.0, 0.8, 0.6, 0.4, 0.2, 0.0),
    "weight_bits": (8, 7, 6, 5, 4, 3),
    "inputs_dropped": (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7),
    "prune_fraction": (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8),
    "powers_of_two": (False, True),
    "coefficient_tolerance": (0, 1, 2, 4, 8),
    "truncate_bits": (0, 1, 2, 3, 4),
    "activation_bits": (8, 7, 6, 5, 4, 3),
    "retrain_epochs": (0, 20, 60),
    "mask_fraction": (0.0, 0.03, 0.06, 0.125, 0.25, 0.5),
    "axsum_bits": (-1, 0, 1, 2, 3, 4, 6),
    "argmax_bits": (0, 1, 2, 3, 4, 6, 8),
}
#: Knobs of designs saved before ``mask_fraction`` and ``axsum_bits``: their genes rebuild with those exact.
KNOBS_BEFORE_MASKS = 11
#: Gene lengths of designs saved before later knobs were added: the missing knobs rebuild at level 0 (exact).
EARLIER_GENE_LENGTHS = (KNOBS_BEFORE_MASKS, 13)
#: Epochs of the shared fine-tuning at a design's input width and hidden size (module doc).
WARMUP_EPOCHS = 60
#: Adam step size and L1 penalty of every retraining (warm start and per design).
RETRAIN_LR, RETRAIN_L1 = 1e-2, 1e-3


@dataclass
class Design:
    """One evaluated design.

    Attributes
    ----------
    genes : tuple of int
        Level index of each knob (:data:`KNOBS` order).
    knobs : dict
        The knob values.
    topology : str
        Layer widths of the circuit, e.g. ``"64-10-10"`` or ``"64-10"`` (no hidden layer).
    train_accuracy, test_accuracy : float
        Fractions correct.
    area_cm2, power_mw, energy_per_inference_uj, critical_path_ms : float
        Gate-level cost (ADCs included when the search was run with ``adc=True``).
    within_battery : bool
        ``power_mw <= battery``.
    """

    genes: tuple
    knobs: dict
    topology: str
    train_accuracy: float
    test_accuracy: float
    area_cm2: float
    power_mw: float
    energy_per_inference_uj: float
    critical_path_ms: float
    within_battery: bool


def design_knobs(genes: tuple) -> dict:
    """Knob name -> value of ``genes`` (one level index per knob of :data:`KNOBS`)."""
    if len(genes) != len(KNOBS) or any(not 0 <= g < len(levels) for g, levels in zip(genes, KNOBS.values())):
        raise SpecError(f"design genes {tuple(genes)}: expected {len(KNOBS)} level indices, each below "
                        f"{tuple(len(v) for v in KNOBS.values())} (knobs {', '.join(KNOBS)}).")
    return {name: levels[g] for (name, levels), g in zip(KNOBS.items(), genes)}


def input_chip(chip: ChipProfile, input_bits: int) -> ChipProfile:
    """``chip`` with ``input_bits``-bit input (ADC) codes."""
    return replace(chip, arithmetic=replace(chip.arithmetic, input_bits=int(input_bits)))


def input_widths(graph: Graph, chip: ChipProfile, wide: float, x_train: np.ndarray) -> np.ndarray:
    """Bits each input is read at: the ``round(wide x n_inputs)`` most important at the chip's width, the rest 1.

    Importance is :func:`hwsim.printed.approx.input_importance` of ``graph``'s exact 8-bit
    circuit on the training codes (ties: lower index is more important).

    Parameters
    ----------
    graph : Graph
        The float MLP.
    chip : ChipProfile
        Profile at the design's input width ``input_bits``.
    wide : float
        Fraction of the inputs read at ``input_bits`` bits, in (0, 1].
    x_train : ndarray
        ``(n, n_inputs)`` training features in [0, 1].

    Returns
    -------
    ndarray
        int64 ``(n_inputs,)`` widths, each ``input_bits`` or 1.
    """
    if isinstance(wide, bool) or not isinstance(wide, (int, float, np.floating)) or not 0.0 < wide <= 1.0:
        raise SpecError(f"input_widths: wide={wide!r}; expected a fraction in (0, 1] of the inputs read at "
                        f"every bit.")
    bits = chip.arithmetic.input_bits
    q = approx.requantize(graph, chip, KNOBS["weight_bits"][0], x_train)
    importance = approx.input_importance(q, quantize_mlp_inputs(x_train, chip))
    widths = np.ones(q.input_size, dtype=np.int64)
    widths[np.argsort(-importance, kind="stable")[:int(round(wide * q.input_size))]] = bits
    return widths


def input_codes(x: np.ndarray, chip: ChipProfile, widths: np.ndarray) -> np.ndarray:
    """``chip``'s input codes of ``x`` with input ``j`` keeping only its top ``widths[j]`` bits (the rest 0).

    A 1-bit input of a ``b``-bit design reads ``2**(b-1)`` when ``x >= 0.5`` (its code's top
    bit), else 0: a 1-bit ADC in the same units as the wide inputs' codes.
    """
    codes = quantize_mlp_inputs(x, chip)
    low = chip.arithmetic.input_bits - np.asarray(widths, dtype=np.int64)
    return (codes >> low) << low


def circuit(graph: Graph, chip: ChipProfile, knobs: dict, x_train: np.ndarray) -> QuantizedMLP:
    """The integer circuit of a float ``graph`` under ``knobs`` (module doc; ``chip`` fixes the input width)."""
    q = approx.requantize(graph, chip, knobs["weight_bits"], x_train)
    if knobs["inputs_dropped"]:
        importance = approx.input_importance(q, quantize_mlp_inputs(x_train, chip))
        q = approx.prune_inputs(q, int(round(knobs["inputs_dropped"] * q.input_size)), importance)
    q = approx.prune_weights(q, knobs["prune_fraction"])
    if knobs["powers_of_two"]:
        q = approx.powers_of_two(q)
    else:
        q = approx.approximate_coefficients(q, knobs["coefficient_tolerance"])
    for layer in range(len(q.layers) - 1):
        q = approx.truncate_accumulator(q, layer, knobs["truncate_bits"])
        q = approx.clip_activation(q, layer, knobs["activation_bits"])
    if knobs["mask_fraction"]:
        q = mask_products(q, chip.arithmetic.input_bits, knobs["mask_fraction"])
    if knobs["axsum_bits"] >= 0:
        for layer in range(len(q.layers)):
            q = approx.axsum(q, layer, knobs["axsum_bits"])
    if knobs["argmax_bits"]:
        q = approx.approximate_argmax(q, knobs["argmax_bits"])
    return q


def mask_products(qmlp: QuantizedMLP, input_bits: int, fraction: float) -> QuantizedMLP:
    """Every layer's partial products below ``fraction`` of its largest one masked out
    (:func:`hwsim.printed.approx.mask_small_products` with ``min_weight = ceil(fraction max|w| 2**(b-1))``,
    ``b`` the layer's input width: ``input_bits``, or the previous layer's clip width)."""
    for layer in range(len(qmlp.layers)):
        top = input_bits if layer == 0 else int(qmlp.layers[layer - 1].act_max).bit_length()
        largest = int(np.max(np.abs(qmlp.layers[layer].weight), initial=0)) << max(top - 1, 0)
        qmlp = approx.mask_small_products(qmlp, layer, input_bits, int(np.ceil(fraction * largest)))
    return qmlp


def resized(graph: Graph, hidden_kept: float, x_train: np.ndarray) -> Graph:
    """``graph`` with ``round(hidden_kept x hidden size)`` hidden neurons (:func:`resize_hidden`)."""
    if hidden_kept == 1.0:
        return graph
    n_hidden = chain_layers(graph)[0]["weight"].shape[0]
    return resize_hidden(graph, int(round(hidden_kept * n_hidden)), x_train)


def _retrain_through(graph: Graph, chip: ChipProfile, knobs: dict, x_train: np.ndarray, y_train: np.ndarray,
                     epochs: int, seed: int, widths: np.ndarray) -> Graph:
    """:func:`hwsim.printed.retrain.retrain` of ``graph`` through its :func:`circuit` under ``knobs``.

    The training codes are :func:`input_codes` at ``widths``; they share the wide codes' units,
    so one input step serves every input.
    """
    return retrain(graph, lambda g: circuit(g, chip, knobs, x_train), input_codes(x_train, chip, widths), y_train,
                   1.0 / ((1 << chip.arithmetic.input_bits) - 1), epochs=epochs, seed=seed, lr=RETRAIN_LR,
                   l1=RETRAIN_L1)


def build_design(graph: Graph, chip: ChipProfile, genes: tuple, x_train: np.ndarray, y_train: np.ndarray,
                 seed: int = 0, warm: dict | None = None) -> tuple[QuantizedMLP, ChipProfile, np.ndarray]:
    """The integer circuit of ``genes``, the profile at its input width and each input's width (module doc).

    Parameters
    ----------
    graph : Graph
        The trained float MLP (input -> hidden ReLU -> output).
    chip : ChipProfile
        The ``mac`` profile at the exact input width.
    genes : tuple of int
        The design (:func:`design_knobs`).
    x_train, y_train : ndarray
        Training split (features in [0, 1], classes): calibration, importance and retraining.
    seed : int
        The search seed: it seeds the warm start; the design's retraining is seeded by
        ``SeedSequence([seed, *canonical(genes)])`` (without the mask and AxSum genes when both are exact,
        so designs saved before those knobs rebuild as they were), so a design does not depend on when it is
        built.
    warm : dict, optional
        ``(input_bits, hidden_kept) -> warm-start graph``, filled and reused across calls.

    Returns
    -------
    tuple
        The :class:`QuantizedMLP`, the profile at the design's input width and the int64 width
        of each input (:func:`input_widths`): cost it with ``printed_cost(q, chip,
        input_widths=widths)`` and feed it :func:`input_codes`.
    """
    knobs = design_knobs(genes)
    narrow = input_chip(chip, knobs["input_bits"])
    float_graph = resized(graph, knobs["hidden_kept"], x_train)
    if knobs["retrain_epochs"]:
        warm = {} if warm is None else warm
        shape = (knobs["input_bits"], knobs["hidden_kept"])
        if shape not in warm:
            exact = {name: levels[0] for name, levels in KNOBS.items()}
            warm[shape] = _retrain_through(float_graph, narrow, exact, x_train, y_train, WARMUP_EPOCHS, seed,
                                           np.full(float_graph.inputs()[0].size, knobs["input_bits"]))
        float_graph = warm[shape]
    widths = input_widths(float_graph, narrow, knobs["wide_inputs"], x_train)
    if knobs["retrain_epochs"]:
        seed_genes = canonical(genes)
        if not any(seed_genes[KNOBS_BEFORE_MASKS:]):     # a design of the earlier knobs keeps its seed
            seed_genes = seed_genes[:KNOBS_BEFORE_MASKS]
        design_seed = int(np.random.SeedSequence([seed, *seed_genes]).generate_state(1)[0])
        float_graph = _retrain_through(float_graph, narrow, knobs, x_train, y_train, knobs["retrain_epochs"],
                                       design_seed, widths)
    return circuit(float_graph, narrow, knobs, x_train), narrow, widths


@dataclass(frozen=True)
class RebuiltDesign:
    """One design rebuilt from its genes and checked on the held-out set (:func:`rebuild_design`)."""

    qmlp: QuantizedMLP
    chip: ChipProfile          # the profile narrowed to the design's input bits
    widths: np.ndarray         # per-input ADC bits
    test_codes: np.ndarray
    test_predictions: np.ndarray
    test_accuracy: float
    cost: PrintedCost


def rebuild_design(graph: Graph, chip: ChipProfile, genes: tuple, data: tuple, seed: int = 0) -> RebuiltDesign:
    """Rebuild the design ``genes`` of ``graph`` on ``chip`` as the search built it (``data`` = ``(x_train,
    y_train, x_test, y_test)``, ``seed`` the search's), classify the held-out set and cost it."""
    x_train, y_train, x_test, y_test = data
    qmlp, narrow, widths = build_design(graph, chip, tuple(genes), x_train, y_train, seed=seed)
    codes = input_codes(x_test, narrow, widths)
    predictions = approx.predict(qmlp, codes)
    return RebuiltDesign(qmlp, narrow, widths, codes, predictions, float(np.mean(predictions == y_test)),
                         printed_cost(qmlp, narrow, input_widths=widths))


def canonical(genes: tuple) -> tuple:
    """``genes`` with the levels that cannot change the circuit set to 0.

    ``coefficient_tolerance`` is ignored with ``powers_of_two``; ``truncate_bits`` and
    ``activation_bits`` act on hidden layers only (none when ``hidden_kept`` is 0);
    ``wide_inputs`` changes nothing with 1-bit inputs.
    """
    knobs, out = design_knobs(genes), list(genes)
    names = list(KNOBS)
    if knobs["input_bits"] == 1:
        out[names.index("wide_inputs")] = 0
    if knobs["powers_of_two"]:
        out[names.index("coefficient_tolerance")] = 0
    if knobs["hidden_kept"] == 0.0:
        out[names.index("truncate_bits")] = out[names.index("activation_bits")] = 0
    return tuple(out)


def topology(qmlp: QuantizedMLP) -> str:
    """Layer widths ``inputs-hidden-...-classes`` of ``qmlp``."""
    return "-".join([str(qmlp.input_size)] + [str(layer.weight.shape[0]) for layer in qmlp.layers])


def pareto_front(designs: list[Design]) -> list[Design]:
    """Designs no other design beats on both training accuracy (higher) and area (lower), by area."""
    front = [d for d in designs
             if not any(o.train_accuracy >= d.train_accuracy and o.area_cm2 <= d.area_cm2
                        and (o.train_accuracy > d.train_accuracy or o.area_cm2 < d.area_cm2) for o in designs)]
    unique = {(d.train_accuracy, d.area_cm2): d for d in sorted(front, key=lambda d: d.genes)}
    return sorted(unique.values(), key=lambda d: d.area_cm2)


def _ranks(objectives: np.ndarray) -> np.ndarray:
    """Pareto rank (0 = non-dominated) of each row, minimising every column."""
    below = objectives[None, :, :] <= objectives[:, None, :]
    dominated_by = np.all(below, axis=2) & np.any(objectives[None, :, :] < objectives[:, None, :], axis=2)
    ranks = np.full(len(objectives), -1)
    remaining, rank = np.ones(len(objectives), dtype=bool), 0
    while remaining.any():
        layer = remaining & ~np.any(dominated_by[:, remaining], axis=1)
        ranks[layer] = rank
        remaining &= ~layer
        rank += 1
    return ranks


def _crowding(objectives: np.ndarray) -> np.ndarray:
    """NSGA-II crowding distance (larger = more isolated; boundary points infinite)."""
    n, m = objectives.shape
    dist = np.zeros(n)
    for col in range(m):
        order = np.argsort(objectives[:, col], kind="stable")
        span = objectives[order[-1], col] - objectives[order[0], col] or 1.0
        dist[order[0]] = dist[order[-1]] = np.inf
        dist[order[1:-1]] += (objectives[order[2:], col] - objectives[order[:-2], col]) / span
    return dist


def _tournament(rng: np.random.Generator, pop: list, rank: np.ndarray, crowd: np.ndarray) -> tuple:
    """Binary tournament: of two random designs, the lower Pareto rank, then the larger crowding distance."""
    i, j = rng.integers(0, len(pop), size=2)
    return pop[i] if (rank[i], -crowd[i]) <= (rank[j], -crowd[j]) else pop[j]


@dataclass
class SearchResult:
    """Every design evaluated, the front, the baseline and the battery budget."""

    task: str
    chip: str
    seed: int
    adc: bool
    battery_power_mw: float
    baseline: Design
    designs: list
    front: list
    adc_pruned: bool = False

    def best_within_battery(self) -> Design | None:
        """The most accurate design (training accuracy; ties: smaller area) within the battery, or None."""
        ok = [d for d in self.designs if d.within_battery]
        return min(ok, key=lambda d: (-d.train_accuracy, d.area_cm2, d.genes)) if ok else None

    def to_dict(self) -> dict:
        best = self.best_within_battery()
        return {"task": self.task, "chip": self.chip, "seed": self.seed, "adc": self.adc, "adc_pruned": self.adc_pruned,
                "battery_power_mw": self.battery_power_mw, "knobs": {k: list(v) for k, v in KNOBS.items()},
                "baseline": asdict(self.baseline), "front": [asdict(d) for d in self.front],
                "best_within_battery": None if best is None else asdict(best),
                "n_designs": len(self.designs)}

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write ``<task>_pareto.json`` and ``<task>_pareto.png`` into ``out_dir``."""
        from hwsim.printed.plots import plot_front

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        json_path = out / f"{self.task}_pareto.json"
        json_path.write_text(json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n")
        return [json_path, plot_front(self, out / f"{self.task}_pareto.png")]


def search(graph: Graph, chip: ChipProfile, data: tuple, task: str = "", *, population: int = 24,
           generations: int = 15, seed: int = 0, adc: bool = False, progress: bool = False,
           adc_pruned: bool = False) -> SearchResult:
    """NSGA-II over :data:`KNOBS` (module doc).

    Parameters
    ----------
    graph : Graph
        Trained float MLP (value input in [0, 1]).
    chip : ChipProfile
        A ``mac`` profile with cells (the printed one).
    data : tuple
        ``(x_train, y_train, x_test, y_test)``, features in [0, 1].
    task : str
        Name used in the outputs.
    population, generations : int
        NSGA-II sizes (>= 2 and >= 0).
    seed : int
        Seed of every random choice.
    adc : bool
        Count one ADC per used input in area and power.
    adc_pruned : bool
        With ``adc``: each ADC is a pruned flash ADC priced by the comparators it keeps
        (:mod:`hwsim.printed.adc`), so narrowed, masked and dropped inputs save ADC cost.
    progress : bool
        A progress bar over generations on stderr (only when it is a terminal).

    Returns
    -------
    SearchResult
        Every design evaluated (sorted by genes), the exact design and the front.
    """
    if population < 2 or generations < 0:
        raise SpecError(f"search: population={population}, generations={generations}; expected population >= 2 "
                        f"and generations >= 0.")
    if chip.arithmetic.input_bits != KNOBS["input_bits"][0]:
        raise SpecError(f"search: chip '{chip.name}' reads {chip.arithmetic.input_bits}-bit inputs; expected "
                        f"{KNOBS['input_bits'][0]} (the exact level of the input_bits knob).")
    x_train, y_train, x_test, y_test = data
    cache: dict[tuple, Design] = {}
    work: dict[tuple, Design] = {}
    warm: dict[tuple, Graph] = {}

    def evaluate(genes: tuple) -> Design:
        if genes not in cache:
            key = canonical(genes)
            if key not in work:
                work[key] = _evaluate(key)
            cache[genes] = replace(work[key], genes=genes, knobs=design_knobs(genes))
        return cache[genes]

    def _evaluate(genes: tuple) -> Design:
        q, narrow, widths = build_design(graph, chip, genes, x_train, y_train, seed, warm)
        cost = printed_cost(q, narrow, adc=adc, input_widths=widths, adc_pruned=adc_pruned)
        return Design(genes, design_knobs(genes), topology(q),
                      approx.accuracy(q, input_codes(x_train, narrow, widths), y_train),
                      approx.accuracy(q, input_codes(x_test, narrow, widths), y_test),
                      cost.area_cm2, cost.power_mw, cost.energy_per_inference_uj,
                      cost.critical_path_ms, cost.within_battery)

    rng = np.random.default_rng(seed)
    sizes = [len(levels) for levels in KNOBS.values()]
    exact = tuple(0 for _ in sizes)
    pop = [exact] + [tuple(int(rng.integers(0, s)) for s in sizes) for _ in range(population - 1)]

    def objectives(genes_list):
        return np.array([[1.0 - evaluate(g).train_accuracy, evaluate(g).area_cm2] for g in genes_list])

    for _ in tqdm(range(generations), desc=f"search {task}".rstrip(), unit="generation", file=sys.stderr,
                  disable=not progress or not sys.stderr.isatty()):
        obj = objectives(pop)
        rank, crowd = _ranks(obj), _crowding(obj)
        children = []
        while len(children) < population:
            a, b = _tournament(rng, pop, rank, crowd), _tournament(rng, pop, rank, crowd)
            child = [x if rng.random() < 0.5 else y for x, y in zip(a, b)]
            for k, s in enumerate(sizes):
                if rng.random() < 1.0 / len(sizes):
                    child[k] = int(np.clip(child[k] + rng.choice((-1, 1)), 0, s - 1))
            children.append(tuple(child))
        merged = list(dict.fromkeys(pop + children))
        obj = objectives(merged)
        rank, crowd = _ranks(obj), _crowding(obj)
        order = sorted(range(len(merged)), key=lambda i: (rank[i], -crowd[i], merged[i]))
        pop = [merged[i] for i in order[:population]]
    objectives(pop)                          # with generations=0, the initial population is all there is
    designs = [cache[g] for g in sorted(cache)]
    return SearchResult(task, chip.name, seed, adc, chip.mac_costs["battery_power_mw"].value, cache[exact],
                        designs, pareto_front(designs), adc_pruned)


def front_table(result: SearchResult) -> str:
    """Markdown table of the baseline, the front and the best design within the battery."""
    head = ("| design | topology | train acc. | test acc. | area (cm2) | power (mW) | critical path (ms) | battery "
            "| knobs |\n|---|---|---|---|---|---|---|---|---|")
    best = result.best_within_battery()
    rows = [("exact 8-bit", result.baseline)] + [("front", d) for d in result.front]
    rows += [("best within battery", best)] if best is not None else []
    lines = [head]
    for label, d in rows:
        shown = design_knobs(canonical(d.genes))
        knobs = ", ".join(f"{k}={v}" for k, v in shown.items() if v != KNOBS[k][0])
        lines.append(f"| {label} | {d.topology} | {100 * d.train_accuracy:.1f} % | {100 * d.test_accuracy:.1f} % | "
                     f"{d.area_cm2:.2f} | {d.power_mw:.2f} | {d.critical_path_ms:.0f} | "
                     f"{'ok' if d.within_battery else 'over'} | {knobs or 'exact'} |")
    return "\n".join(lines) + "\n"
