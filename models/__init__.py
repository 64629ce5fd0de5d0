"""Bundled default models of hwsim and the code that trains them.

Both models solve scikit-learn's bundled ``load_digits`` task (8 x 8 grey-level
digits, 10 classes; no download) and are trained by hwsim's own numpy code,
:mod:`hwsim.models.train_digits`, reproducibly from a seed:

``data/digits_snn.npz``
    A spiking network for the neuromorphic profiles: Input(64, "spike") ->
    ``lif`` hidden -> ``lif`` output of 10, read out as spike counts. Inputs are
    rate-coded with :func:`hwsim.encoding.rate_encode` (``"regular"``) over
    ``metadata["n_steps"]`` steps.
``data/digits_mlp.npz``
    A small non-spiking MLP for the printed-electronics MAC profile: Input(64,
    "value") -> ``relu`` hidden -> ``identity`` output of 10, read out as values.

For the printed-electronics tools (:mod:`hwsim.printed`), :mod:`hwsim.models.train_printed`
trains small MLPs on other scikit-learn datasets (seeded, seconds each):
``data/breast_cancer_mlp.npz`` (30-3-2), ``data/wine_mlp.npz`` (13-3-3) and
``data/iris_mlp.npz`` (4-3-3); :func:`hwsim.models.train_printed.load_task` gives their splits.

Load them with :func:`hwsim.ir.load_graph` (paths from
:func:`hwsim.models.digits.bundled_model_path`);
each graph's ``metadata`` records the task, data split, encoding, readout rule,
training hyper-parameters and measured held-out accuracies. The data split is
:func:`hwsim.models.digits.load_digits_split`.
"""
