"""Helpers shared by the test areas (plain functions, no fixtures: fixtures live in conftest.py)."""
