"""Shared fixtures: accounts by role and the foundation's deployments.

Area-specific fixtures live beside their tests; this file holds what every area needs.
"""

import os

import pytest
from ape_ethereum.trace import Trace

# ape-foundry prints the whole enriched call tree of every reverted call (about 1.5 s each on
# anvil), and the suite checks hundreds of reverts by their custom error. The display is noise
# there; set FAIRGIFT_SHOW_REVERT_TRACES=1 to see it again when debugging.
if not os.environ.get("FAIRGIFT_SHOW_REVERT_TRACES"):
    Trace.show = lambda self, *args, **kwargs: None

USDC = 10**6  # one whole MockUSDC (6 decimals)


@pytest.fixture(scope="session")
def owner(accounts):
    """Deploys and administers the contracts (and owns MockUSDC)."""
    return accounts[0]


@pytest.fixture(scope="session")
def treasury(accounts):
    return accounts[1]


@pytest.fixture(scope="session")
def creator(accounts):
    return accounts[2]


@pytest.fixture(scope="session")
def fan(accounts):
    return accounts[3]


@pytest.fixture(scope="session")
def other(accounts):
    """Someone with no role: a stranger, a relayer, a front-runner."""
    return accounts[4]


@pytest.fixture(scope="session")
def usdc(project, owner):
    return owner.deploy(project.MockUSDC, owner)


@pytest.fixture(scope="session")
def funded_fan(usdc, owner, fan):
    usdc.mint(fan, 1_000_000 * USDC, sender=owner)
    return fan
