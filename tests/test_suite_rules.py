"""The suite's own rules, enforced by tests/conftest.py: FAIRGIFT_TEST_ORDER reorders areas and the
modules within them (never the tests within a module), replayably; a fixture name defined twice, or
an import that depends on collection order, is refused; Ape forgets the contract types of rolled-back
deployments. Fake items and fixture definitions; the chain only for the last rule."""

from pathlib import Path
from types import SimpleNamespace

import pytest

from tests import conftest

TESTS = conftest.TESTS


def item(path: str, name: str):
    return SimpleNamespace(path=TESTS / path, name=name)


ITEMS = [
    item("jar/test_jar_a.py", "a1"),
    item("jar/test_jar_a.py", "a2"),
    item("jar/test_jar_b.py", "b1"),
    item("market/test_market_c.py", "c1"),
    item("market/test_market_c.py", "c2"),
    item("test_top.py", "t1"),
]


def names(items):
    return [i.name for i in items]


def test_reverse_reverses_areas_and_modules_not_tests():
    reordered = conftest._reorder(ITEMS, lambda groups: groups[::-1])
    assert names(reordered) == ["t1", "c1", "c2", "b1", "a1", "a2"]


def test_random_keeps_each_module_whole_and_in_order_and_replays():
    import random

    def shuffled(seed):
        rng = random.Random(seed)
        return conftest._reorder(ITEMS, lambda groups: rng.sample(groups, len(groups)))

    orders = {tuple(names(shuffled(seed))) for seed in range(40)}
    assert len(orders) > 1  # the seed matters
    for order in orders:
        assert sorted(order) == sorted(names(ITEMS))
        assert order.index("a1") + 1 == order.index("a2")  # a module stays whole, in file order
        assert order.index("c1") + 1 == order.index("c2")
        jar = sorted(order.index(n) for n in ("a1", "a2", "b1"))
        assert jar == list(range(jar[0], jar[0] + 3))  # an area stays whole
    assert names(shuffled(7)) == names(shuffled(7))  # same seed, same order


@pytest.mark.parametrize(
    "value,expected",
    [("", ""), ("reverse", "reverse"), ("random:42", "random:42")],
)
def test_order_setting(monkeypatch, value, expected):
    monkeypatch.setenv(conftest.ORDER_ENV, value)
    config = SimpleNamespace()
    conftest.pytest_configure(config)
    assert config.fairgift_order == expected


def test_random_without_seed_draws_one(monkeypatch):
    monkeypatch.setenv(conftest.ORDER_ENV, "random")
    config = SimpleNamespace()
    conftest.pytest_configure(config)
    kind, _, seed = config.fairgift_order.partition(":")
    assert kind == "random" and seed.isdigit()
    assert conftest.ORDER_ENV + "=" + config.fairgift_order in conftest.pytest_report_header(config)


@pytest.mark.parametrize("value", ["sideways", "random:x", "reverse:3"])
def test_bad_order_setting_is_a_usage_error(monkeypatch, value):
    monkeypatch.setenv(conftest.ORDER_ENV, value)
    with pytest.raises(pytest.UsageError, match="expected reverse, random or random:SEED"):
        conftest.pytest_configure(SimpleNamespace())


def _session(**definitions):
    """A fake session whose fixture manager knows `name -> [functions defining it]`."""
    defs = {name: [SimpleNamespace(func=f) for f in funcs] for name, funcs in definitions.items()}
    return SimpleNamespace(_fixturemanager=SimpleNamespace(_arg2fixturedefs=defs))


def _defined_here():
    """A function whose source file is under tests/ (this module)."""


def _defined_here_too():
    pass


def test_unique_fixture_names_pass():
    conftest._check_unique_fixture_names(_session(jar=[_defined_here], market=[_defined_here_too]))


def test_a_fixture_name_defined_twice_is_refused():
    with pytest.raises(pytest.UsageError, match=r"defined more than once: jar \(tests/test_suite_rules.py"):
        conftest._check_unique_fixture_names(_session(jar=[_defined_here, _defined_here_too]))


def test_overriding_a_plugin_fixture_is_refused():
    from ape.pytest.fixtures import PytestApeFixtures

    with pytest.raises(pytest.UsageError, match="chain"):
        conftest._check_unique_fixture_names(_session(chain=[PytestApeFixtures.chain, _defined_here]))


def test_the_real_suite_defines_each_fixture_once(request):
    conftest._check_unique_fixture_names(request.session)  # what collection already checked
    assert Path(conftest.__file__).resolve().parent == TESTS


def test_imports_of_conftest_and_ambiguous_basenames_are_refused(monkeypatch, tmp_path):
    (tmp_path / "jar").mkdir()
    (tmp_path / "market").mkdir()
    (tmp_path / "jar" / "helpers.py").write_text("X = 1\n")
    (tmp_path / "market" / "helpers.py").write_text("X = 2\n")
    (tmp_path / "market" / "test_market_x.py").write_text("from conftest import X\n")
    monkeypatch.setattr(conftest, "TESTS", tmp_path)
    with pytest.raises(pytest.UsageError) as refused:
        conftest._check_imports()
    message = str(refused.value)
    assert "test_market_x.py:1 imports `conftest`" in message
    assert "module name `helpers` is ambiguous" in message


def test_the_real_suite_imports_nothing_ambiguous():
    conftest._check_imports()


def test_contract_types_learned_meanwhile_are_forgotten(chain, project, usdc):
    from eth_utils import to_checksum_address

    memory = chain.contracts.contract_types.memory
    rolled_back = to_checksum_address("0x" + "5a" * 20)
    forget = conftest._forget_contracts_of(chain)
    next(forget)
    memory[rolled_back] = project.CreatorToken.contract_type  # learned during a test
    with pytest.raises(StopIteration):
        next(forget)  # the test ends
    assert rolled_back not in memory
    assert memory[usdc.address].name == "MockUSDC"  # known before: kept
