"""Printed (EGFET) bespoke MLP circuits: gate-level cost model, Verilog export and EDA checks."""
