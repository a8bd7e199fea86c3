"""Shared fixtures: the named roles (one list for the whole suite) and the foundation's deployments.

Area-specific fixtures live beside their tests; this file holds what every area needs. Areas take
their accounts from these roles, never from `accounts[i]`, so two areas never disagree on who is
who. Every fixture name in the suite is unique (one definition per name): Ape's chain isolation
tracks fixtures by name, and one name defined in two areas at two scopes made it rebase and leak
state from one area into another.
"""

import ast
import inspect
import os
import random
from pathlib import Path

import ape
import pytest
from ape_ethereum.trace import Trace

from tests.constants import USDC
from tests.helpers.in_process import distinct_snapshot_ids, exact_return_values
from tests.helpers.seeded_draws import use_local_constants

TESTS = Path(__file__).resolve().parent
ORDER_ENV = "FAIRGIFT_TEST_ORDER"

# ape-foundry prints the whole enriched call tree of every reverted call (about 1.5 s each on
# anvil), and the suite checks hundreds of reverts by their custom error. The display is noise
# there; set FAIRGIFT_SHOW_REVERT_TRACES=1 to see it again when debugging.
if not os.environ.get("FAIRGIFT_SHOW_REVERT_TRACES"):
    Trace.show = lambda self, *args, **kwargs: None

# On the in-process provider, `receipt.return_value` as anvil gives it, and chain isolation that
# rolls every module back (two snapshots could share one id; see tests/helpers/in_process.py).
exact_return_values()
distinct_snapshot_ids()


# ------------------------------------------------------------------------------- order and markers
# Every area and every module must pass alone and in any order. FAIRGIFT_TEST_ORDER=reverse runs the
# areas (the folders under tests/ and the modules at its top) and the modules in each area in
# reverse; FAIRGIFT_TEST_ORDER=random[:SEED] shuffles both (the header prints the seed; the same
# value replays the order). Unset: pytest's order (by name). Tests within a module keep their order:
# a module may tell one story step by step (the CLI tests against one anvil node do).


def _check_imports():
    """Refuse imports that resolve differently depending on which area pytest collected first.
    Every area's conftest.py is a module named `conftest` when its folder is not a package, so
    `from conftest import X` gets whichever was imported last; helpers are imported by basename
    (`from jar_helpers import ...`), so two helpers with one basename shadow each other. Import
    shared names from `tests.constants` / `tests.helpers`, an area's own from its `<area>_helpers.py`."""
    problems, helpers = [], {}
    for path in sorted(TESTS.rglob("*.py")):
        where = path.relative_to(TESTS.parent)
        if not (path.parent / "__init__.py").exists() and path.name not in ("conftest.py", "__init__.py"):
            helpers.setdefault(path.stem, []).append(str(where))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf8"), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            if "conftest" in names:
                problems.append(f"{where}:{node.lineno} imports `conftest`")
    for stem, paths in sorted(helpers.items()):
        if len(paths) > 1:
            problems.append(f"module name `{stem}` is ambiguous: {', '.join(paths)}")
    if problems:
        raise pytest.UsageError(
            "imports that depend on collection order (use a uniquely named helper module): "
            + "; ".join(problems)
        )


def pytest_configure(config):
    _check_imports()
    use_local_constants(False)  # hypothesis's draws depend on their seed alone (issue 14)
    order = os.environ.get(ORDER_ENV, "").strip()
    kind, _, seed = order.partition(":")
    if kind not in ("", "reverse", "random") or (seed and (kind != "random" or not seed.isdigit())):
        raise pytest.UsageError(f"{ORDER_ENV}={order!r}: expected reverse, random or random:SEED")
    if kind == "random" and not seed:
        seed = str(random.SystemRandom().randrange(10**6))
    config.fairgift_order = f"{kind}:{seed}" if seed else kind


def _order_line(config) -> str | None:
    order = config.fairgift_order
    return f"test order: {order} (replay with {ORDER_ENV}={order})" if order else None


def pytest_report_header(config):
    return _order_line(config)


def pytest_terminal_summary(terminalreporter, config):
    # Also at the end, where `-q` (which hides the header) still shows it.
    if line := _order_line(config):
        terminalreporter.write_line(line)


def _area(item) -> str:
    """The area of a test: its folder under tests/, or its module when it sits at the top."""
    relative = Path(item.path).resolve().relative_to(TESTS)
    return relative.parts[0]


def _grouped(items, key) -> dict:
    groups: dict = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups


def _reorder(items, arrange) -> list:
    """`items` with the areas, and the modules within each area, `arrange`d."""
    result = []
    for area in arrange(list(_grouped(items, _area).values())):
        for module in arrange(list(_grouped(area, lambda item: item.path).values())):
            result.extend(module)
    return result


def _check_unique_fixture_names(session):
    """Refuse a suite where one fixture name has two definitions. Ape's isolation keys fixtures by
    name: a name defined at two scopes (say session in one area, module in another) makes it
    "rebase" the chain and keep one area's state in another's tests."""
    clashes = []
    for name, definitions in session._fixturemanager._arg2fixturedefs.items():
        places = []
        for definition in definitions:
            try:
                places.append(Path(inspect.getsourcefile(definition.func)).resolve())
            except TypeError:  # a built-in without a source file
                places.append(None)
        if len(definitions) > 1 and any(p is not None and p.is_relative_to(TESTS) for p in places):
            where = ", ".join(str(p.relative_to(TESTS.parent)) if p else "built-in" for p in places)
            clashes.append(f"{name} ({where})")
    if clashes:
        raise pytest.UsageError(
            "fixture names must be unique across the suite (Ape's chain isolation tracks fixtures by "
            "name); defined more than once: " + "; ".join(sorted(clashes))
        )


def pytest_collection_modifyitems(session, config, items):
    _check_unique_fixture_names(session)
    kind, _, seed = config.fairgift_order.partition(":")
    if kind == "reverse":
        items[:] = _reorder(items, lambda groups: groups[::-1])
    elif kind == "random":
        rng = random.Random(int(seed))
        items[:] = _reorder(items, lambda groups: rng.sample(groups, len(groups)))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    marker = item.get_closest_marker("anvil_only")
    if marker is None:
        return
    from ape import networks

    if networks.provider.name != "foundry":
        reason = marker.args[0] if marker.args else marker.kwargs.get("reason", "")
        pytest.skip(f"needs anvil ({reason})" if reason else "needs anvil")


# ------------------------------------------------------------------------------------ named roles
# The ten test accounts, each with one role. Roles hold only ETH here: a fixture that funds or
# approves a role says so in its name (`funded_fan`, `approved_fan`, ...).
OWNER, TREASURY, STRANGER, ATTACKER, RELAYER = 0, 1, 4, 7, 9
CREATORS = (2, 6)
FANS = (3, 5, 8)

# A role is an account: the same whatever the chain's state, so Ape never needs to re-create it (nor
# to roll the chain back, "rebase", when a test first asks for one in the middle of a module).
role = ape.fixture(scope="session", chain_isolation=False)


@role
def owner(accounts):
    """Deploys and administers the contracts (and owns MockUSDC)."""
    return accounts[OWNER]


@role
def treasury(accounts):
    """Receives the protocol's fees."""
    return accounts[TREASURY]


@role
def creators(accounts):
    """Creators who receive tips and gifts and launch tokens."""
    return tuple(accounts[i] for i in CREATORS)


@role
def creator(creators):
    return creators[0]


@role
def creator2(creators):
    return creators[1]


@role
def fans(accounts):
    """Fans who tip, send gifts and trade."""
    return tuple(accounts[i] for i in FANS)


@role
def fan(fans):
    return fans[0]


@role
def fan2(fans):
    return fans[1]


@role
def relayer(accounts):
    """Submits transactions that fans signed (batches, authorizations, permits): TEST::9, the
    services' default relayer on a local chain (fairgift.service.DEFAULT_LOCAL_RELAYER)."""
    return accounts[RELAYER]


@role
def stranger(accounts):
    """Someone with no role: an intruder on restricted functions, a third party who pushes."""
    return accounts[STRANGER]


@role
def attacker(accounts):
    """A hostile party: front-runs, sandwiches, replays and redirects."""
    return accounts[ATTACKER]


# ----------------------------------------------------------------------------------- foundation
# The only state shared by the whole session is MockUSDC, deployed before the first test whatever
# runs first (so at the same address in any order). Everything else that changes the chain (areas'
# deployments, minting, approvals) is module- or function-scoped: Ape rolls the chain back after
# each module and each test, so every module starts from the same state in any order.


def _forget_contracts_of(chain):
    """Forget, when done, the contract types Ape learned meanwhile. The chain is rolled back after
    each test and each module, so the next deployments land at the same addresses; Ape's cache
    would then keep the old type for a new contract (`project.RevenueSplit.at(x)` answers with the
    CreatorToken an earlier module had at x, since Ape prefers what it cached to what it is given)."""
    contracts = chain.contracts
    caches = (contracts.contract_types, contracts.proxy_infos, contracts.contract_creations)
    known = [set(cache.memory) for cache in caches]
    yield
    for cache, before in zip(caches, known, strict=True):
        for address in set(cache.memory) - before:
            del cache.memory[address]


@ape.fixture(scope="module", autouse=True, chain_isolation=False)
def _module_contracts(chain):
    yield from _forget_contracts_of(chain)


@ape.fixture(autouse=True, chain_isolation=False)
def _test_contracts(chain):
    yield from _forget_contracts_of(chain)


@pytest.fixture(scope="session", autouse=True)
def usdc(project, owner):
    return owner.deploy(project.MockUSDC, owner)


@pytest.fixture(scope="module")
def funded_fan(usdc, owner, fan):
    usdc.mint(fan, 1_000_000 * USDC, sender=owner)
    return fan
