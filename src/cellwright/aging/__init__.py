"""Cycle and calendar aging: semi-empirical models, duty-cycle stressors, virtual-time states."""
