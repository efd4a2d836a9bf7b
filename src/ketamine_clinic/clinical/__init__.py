"""The clinic's medical knowledge as plain Python.

Rules, scoring, dosing, protocols and pharmacokinetics live here as frozen dataclasses and pure
functions over plain values: no Django, no database, no clock (callers pass ``now``). Every
clinical number carries its source (a key of ``sources.SOURCES``) next to it.
"""
