"""Hardware noise: a :class:`NoiseSpec` of sources, static ones applied to the quantised network and
dynamic ones drawn inside the spiking kernel (``docs/noise.md``).

- :mod:`hwsim.noise.spec`: the spec, the registry of kinds and the strict loader;
- :mod:`hwsim.noise.static`: kinds drawn once per chip instance (:func:`apply_noise`);
- :mod:`hwsim.noise.dynamic`: kinds drawn every step or event (:func:`dynamic_noise`).
"""
from hwsim.noise.spec import KINDS, NoiseSource, NoiseSpec, load_noise
from hwsim.noise.static import apply_noise
from hwsim.noise.dynamic import DynamicNoise, dynamic_noise, has_dynamic

__all__ = ["KINDS", "NoiseSource", "NoiseSpec", "load_noise", "apply_noise", "DynamicNoise", "dynamic_noise",
           "has_dynamic"]
