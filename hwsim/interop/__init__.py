"""Bridges between hwsim's IR and other toolchains (Lava, lava-dl netx, NIR)."""
