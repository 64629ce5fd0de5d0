"""Bundled chip profiles of hwsim (installed as ``hwsim.profiles``).

This package holds data only: one ``<name>.yaml`` per chip and ``README.md``, the
key reference. ``hwsim.chips.load_chip("<name>")`` finds the files here with
:mod:`importlib.resources`; this file only makes the folder a regular package.
"""
