"""A seed decides every draw: loading another project module does not change what it draws
(`tests/helpers/seeded_draws.py`: hypothesis would otherwise draw the literals of the project
modules loaded, so a full `make fuzz` and its replay of one machine drew different examples)."""

import importlib

import hypothesis
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from tests.helpers.seeded_draws import use_local_constants

# Literals of a module loaded mid-session, far from anything else the project writes.
PROBE_LITERALS = tuple(7_770_000_000_000 + i for i in range(500))


def _draws() -> list[int]:
    seen: list[int] = []

    @hypothesis.seed(20261130)
    @settings(max_examples=1_000, database=None, phases=[Phase.generate], deadline=None)
    @given(st.integers(0, 10**13))
    def probe(value):
        seen.append(value)

    probe()
    return seen


def test_loading_a_module_does_not_change_what_a_seed_draws(tmp_path, monkeypatch):
    before = _draws()
    (tmp_path / "seeded_draws_probe.py").write_text(f"PRICES = {PROBE_LITERALS!r}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(importlib.sys.modules, "seeded_draws_probe", raising=False)
    importlib.import_module("seeded_draws_probe")

    after = _draws()
    assert after == before
    assert not set(after) & set(PROBE_LITERALS)

    # Not vacuous: hypothesis's own behaviour draws the new module's literals with the same seed.
    try:
        use_local_constants(True)
        with_local_constants = _draws()
    finally:
        use_local_constants(False)
    assert set(with_local_constants) & set(PROBE_LITERALS)
    assert with_local_constants != before
