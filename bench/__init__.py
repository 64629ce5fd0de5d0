"""Benchmarks of hwsim against peer simulators (``python bench/run_all.py``; see ``bench/RESULTS.md``).

Every module here except the hwsim runner and the drivers imports only the standard library,
numpy and (for the peers) their own simulator, so that the peers environment made by
``bench/setup_peers.py`` runs them without hwsim.
"""
