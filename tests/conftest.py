"""Shared fixtures: the named roles (one list for the whole suite) and the foundation's deployments.

Area-specific fixtures live beside their tests; this file holds what every area needs. Areas take
their accounts from these roles, never from `accounts[i]`, so two areas never disagree on who is
who. Every fixture name in the suite is unique (one definition per name): Ape's chain isolation
tracks fixtures by name, and one name defined in two areas at two scopes made it rebase and leak
state from one area into another.
"""

import os

import pytest
from ape_ethereum.trace import Trace

from tests.constants import USDC

# ape-foundry prints the whole enriched call tree of every reverted call (about 1.5 s each on
# anvil), and the suite checks hundreds of reverts by their custom error. The display is noise
# there; set FAIRGIFT_SHOW_REVERT_TRACES=1 to see it again when debugging.
if not os.environ.get("FAIRGIFT_SHOW_REVERT_TRACES"):
    Trace.show = lambda self, *args, **kwargs: None


# ------------------------------------------------------------------------------------ named roles
# The ten test accounts, each with one role. Roles hold only ETH here: a fixture that funds or
# approves a role says so in its name (`funded_fan`, `approved_fan`, ...).
OWNER, TREASURY, STRANGER, ATTACKER, RELAYER = 0, 1, 4, 7, 9
CREATORS = (2, 6)
FANS = (3, 5, 8)


@pytest.fixture(scope="session")
def owner(accounts):
    """Deploys and administers the contracts (and owns MockUSDC)."""
    return accounts[OWNER]


@pytest.fixture(scope="session")
def treasury(accounts):
    """Receives the protocol's fees."""
    return accounts[TREASURY]


@pytest.fixture(scope="session")
def creators(accounts):
    """Creators who receive tips and gifts and launch tokens."""
    return tuple(accounts[i] for i in CREATORS)


@pytest.fixture(scope="session")
def creator(creators):
    return creators[0]


@pytest.fixture(scope="session")
def creator2(creators):
    return creators[1]


@pytest.fixture(scope="session")
def fans(accounts):
    """Fans who tip, send gifts and trade."""
    return tuple(accounts[i] for i in FANS)


@pytest.fixture(scope="session")
def fan(fans):
    return fans[0]


@pytest.fixture(scope="session")
def fan2(fans):
    return fans[1]


@pytest.fixture(scope="session")
def relayer(accounts):
    """Submits transactions that fans signed (batches, authorizations, permits): TEST::9, the
    services' default relayer on a local chain (fairgift.web.service.DEFAULT_LOCAL_RELAYER)."""
    return accounts[RELAYER]


@pytest.fixture(scope="session")
def stranger(accounts):
    """Someone with no role: an intruder on restricted functions, a third party who pushes."""
    return accounts[STRANGER]


@pytest.fixture(scope="session")
def attacker(accounts):
    """A hostile party: front-runs, sandwiches, replays and redirects."""
    return accounts[ATTACKER]


# ----------------------------------------------------------------------------------- foundation


@pytest.fixture(scope="session")
def usdc(project, owner):
    return owner.deploy(project.MockUSDC, owner)


@pytest.fixture(scope="session")
def funded_fan(usdc, owner, fan):
    usdc.mint(fan, 1_000_000 * USDC, sender=owner)
    return fan
