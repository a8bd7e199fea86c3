"""Hypothesis draws that depend on their seed alone, not on which project modules are loaded.

Hypothesis (since 6.131) also draws integers, floats and strings from "local constants": the
literals of every non-test project module in `sys.modules` when an example is drawn (about 1 draw
in 20 picks a constant). Which `fairgift` modules are loaded depends on what pytest collected
(`make fuzz` collects every test module, and they import the page, the index, the relayer...; a
replay of one file collects one) and on imports made during the run. So one seed drew different
examples in a full `make fuzz` and in its replay of one machine: seen with seed 1456497575, where
the jar machine's step counts differed from the first minute on (issue 14: no step may depend on
anything but the seed).

`use_local_constants(False)` fixes that pool to empty for the whole test session (hypothesis's own
global constants, the same in every run, still apply). It replaces a private function of the
pinned hypothesis (6.170.17); `tests/assurance/test_assurance_seeded_draws.py` proves both that
the pool used to change the draws and that it no longer does, so an upgrade that moves it fails
there, not silently.
"""

from hypothesis.internal.conjecture import providers
from hypothesis.internal.constants_ast import Constants

_hypothesis_local_constants = providers._get_local_constants
_NO_LOCAL_CONSTANTS = Constants()


def _no_local_constants() -> Constants:
    return _NO_LOCAL_CONSTANTS


def use_local_constants(enabled: bool) -> None:
    """False (the test session's setting, from `tests/conftest.py`): every hypothesis draw of this
    process depends on its seed alone. True puts hypothesis's own behaviour back (for the proof)."""
    providers._get_local_constants = _hypothesis_local_constants if enabled else _no_local_constants
    # Permitted constants are cached per strategy shape, local ones included: start clean.
    providers.CONSTANTS_CACHE.cache.clear()
