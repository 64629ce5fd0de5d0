"""The long fuzz run: damaged files for every loader and hostile command lines, with every outcome counted.

Each variant is a mutation of a bundled, valid input (``tests/fuzzing.py``): graph ``.npz`` files, NIR
and lava-dl netx HDF5 files, ``--inputs`` files (truncated or bit-flipped), chip profiles and noise specs
(a node replaced by an odd value, deleted or renamed; each profile that loads also runs a small network),
and ``hwsim`` command lines (an option given an odd value). An outcome is ``ran`` (loaded or ran),
``hwsim error`` (a named :class:`hwsim.errors.HwsimError`, or argparse's one-line refusal: status 2),
``traceback`` (any other exception: a defect), ``hang`` (over ``--timeout-s``) or a memory blow-up (the
process's peak RSS grew by more than 2 GiB during the variant; inputs here are all under 10 MB).

Usage (from the repository root, hwsim's environment)::

    python bench/fuzz_loaders.py [--variants 2100] [--seed 0] [--timeout-s 60]

Prints a table of outcomes per loader, and each traceback's place; exit status 1 if any defect was found.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import resource
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from importlib.resources import files
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fuzzing import damage_bytes, mutate_tree, random_pick, small_graph  # noqa: E402

from hwsim.chips import available_chips, load_chip  # noqa: E402
from hwsim.cli import main as cli_main  # noqa: E402
from hwsim.errors import HwsimError  # noqa: E402
from hwsim.interop.netx import (conv_layer, cuba_neuron, dense_layer, flatten_layer, import_netx,  # noqa: E402
                                input_layer, write_netx)
from hwsim.interop.nir import import_nir  # noqa: E402
from hwsim.ir import load_graph, save_graph  # noqa: E402
from hwsim.noise import load_noise  # noqa: E402
from hwsim.pipeline import run  # noqa: E402
from hwsim.tasks import task_data  # noqa: E402

BLOW_UP_MIB = 2048
#: Command-line options and the subcommand they belong to, given odd values by the CLI fuzzer.
CLI_OPTIONS = {"run": ["--samples", "--steps", "--seed", "--chip", "--inputs", "--json", "--input-kind", "--encoding",
                       "--task", "--record", "--plots", "--dt", "--convention", "--reset"],
               "noise": ["--instances", "--values", "--workers", "--seed", "--kind", "--param", "--samples", "--out"],
               "claims": ["--samples", "--chip", "--steps"]}
CLI_VALUES = ["0", "-1", "1e9", "1000000000", "nan", "", "x" * 300, "mlp\n", "/", "/nonexistent/dir/f.json",
              "a" * 5000, "loihii", "-", "0.5", "1,2,,", "\x00", "../../etc/passwd"]


def _sources(folder: Path) -> dict:
    """The valid inputs every variant starts from."""
    neuron = cuba_neuron(1024, 512, 40)
    netx = write_netx(folder / "n.net", [input_layer((1, 4, 4)), conv_layer(np.ones((2, 1, 3, 3)), (1, 4, 4), neuron),
                                         flatten_layer((2, 2, 2)), dense_layer(np.ones((3, 8)), neuron)])
    np.savez(folder / "inputs.npz", x=np.random.default_rng(0).random((4, 64)), y=np.arange(4))
    nir_dir = files("hwsim.models") / "data" / "nir"
    return {"graph": save_graph(small_graph(), folder / "g.npz").read_bytes(),
            "digits": (files("hwsim.models") / "data" / "digits_snn.npz").read_bytes(),
            "nir": [(nir_dir / n).read_bytes() for n in ("leaky_ff.nir", "conv.nir")],
            "netx": netx.read_bytes(), "inputs": (folder / "inputs.npz").read_bytes(),
            "chips": {n: yaml.safe_load((files("hwsim.profiles") / f"{n}.yaml").read_text())
                      for n in available_chips()},
            "noise": [yaml.safe_load(p.read_text()) for p in (files("hwsim.models") / "noise").iterdir()
                      if p.name.endswith(".yaml")]}


def _variant(kind: str, src: dict, pick, folder: Path):
    """One mutated input of ``kind`` and the call that loads (and, for profiles, runs) it."""
    path = folder / f"v_{kind}"
    if kind == "graph":
        path.write_bytes(damage_bytes(pick.choice([src["graph"], src["digits"]]), pick))
        return lambda: load_graph(path)
    if kind == "nir":
        path.write_bytes(damage_bytes(pick.choice(src["nir"]), pick))
        return lambda: import_nir(path, 1e-4, "snntorch")
    if kind == "netx":
        path.write_bytes(damage_bytes(src["netx"], pick))
        return lambda: import_netx(path)
    if kind == "inputs":
        path.write_bytes(damage_bytes(src["inputs"], pick))
        return lambda: run(small_graph(), load_chip("ideal"), task_data(small_graph(), str(path)).x[:, None, :4] > 0.5)
    if kind == "chip":
        path.write_text(yaml.safe_dump(mutate_tree(src["chips"][pick.choice(sorted(src["chips"]))], pick)))

        def load_and_run():
            chip = load_chip(path)
            if chip.kind != "mac":
                run(small_graph(), chip, (np.random.default_rng(0).random((2, 5, 4)) < 0.5).astype(np.uint8))
        return load_and_run
    if kind == "noise":
        mutant = mutate_tree(pick.choice(src["noise"]), pick)
        return lambda: run(small_graph(), load_chip("loihi"), np.ones((1, 5, 4), np.uint8), noise=load_noise(mutant),
                           seed=1)
    command = pick.choice(sorted(CLI_OPTIONS))
    argv = [command, pick.choice(CLI_OPTIONS[command]), pick.choice(CLI_VALUES), "--json" if command != "noise"
            else "--out", str(folder / "cli_out"), "--samples", "2"]
    if command == "noise":
        argv += ["--kind", "weight_variation", "--param", "sigma", "--values", "0", "--instances", "1"]

    def call():
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as err:
            try:
                status = cli_main(argv)
            except _Hang:
                raise _Hang(f"hwsim {argv!r}") from None
        if status not in (0, 2) or "Traceback" in err.getvalue():
            raise RuntimeError(f"hwsim {argv!r}: status {status}: {err.getvalue()[-300:]}")
        if status == 2:     # argparse's or hwsim's one-line refusal
            raise HwsimError(err.getvalue().strip()[:200])
    return call


class _Hang(Exception):
    pass


def _alarm(signum, frame):
    raise _Hang()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=2100, help="variants in all (default 2100)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the mutations (default 0)")
    parser.add_argument("--timeout-s", type=int, default=60, help="a variant running longer is a hang")
    args = parser.parse_args(argv)
    kinds = ("graph", "nir", "netx", "inputs", "chip", "noise", "cli")
    pick = random_pick(np.random.default_rng(args.seed))
    outcomes: dict[str, Counter] = {k: Counter() for k in kinds}
    defects: Counter = Counter()
    signal.signal(signal.SIGALRM, _alarm)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        src = _sources(folder)
        for index in range(args.variants):
            kind = kinds[index % len(kinds)]
            before_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            signal.alarm(args.timeout_s)
            try:
                _variant(kind, src, pick, folder)()
                outcome = "ran"
            except HwsimError:
                outcome = "hwsim error"
            except _Hang as exc:
                outcome = "hang"
                defects[f"hang: {str(exc)[:200]}"] += 1
            except Exception as exc:  # a defect: count it by its place
                outcome = "traceback"
                place = traceback.extract_tb(exc.__traceback__)[-1]
                defects[f"{type(exc).__name__} at {Path(place.filename).name}:{place.lineno}: {str(exc)[:150]}"] += 1
            finally:
                signal.alarm(0)
            grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before_mib
            outcomes[kind]["memory blow-up" if grown > BLOW_UP_MIB else outcome] += 1
    names = ("ran", "hwsim error", "traceback", "hang", "memory blow-up")
    print(f"{args.variants} variants, seed {args.seed}, {time.perf_counter() - started:.0f} s\n")
    print("| loader | " + " | ".join(names) + " |\n|---" * 1 + "|---" * len(names) + "|")
    for kind in kinds:
        print(f"| {kind} | " + " | ".join(str(outcomes[kind][n]) for n in names) + " |")
    total = Counter()
    for counts in outcomes.values():
        total.update(counts)
    print("| all | " + " | ".join(str(total[n]) for n in names) + " |")
    for place, count in defects.most_common():
        print(f"defect: {place} ({count}x)")
    return 1 if total["traceback"] or total["hang"] or total["memory blow-up"] else 0


if __name__ == "__main__":
    sys.exit(main())
