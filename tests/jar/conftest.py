"""Tip-jar fixtures: a TipJar with MockUSDC allowed, approved fans, test tokens, a split factory.
Module-scoped: each module starts from the same chain (nothing here outlives its module)."""

import pytest
from jar_helpers import FEE_BPS

from tests.constants import MAX_UINT, USDC


@pytest.fixture(scope="module")
def jar(project, owner, treasury, usdc):
    jar = owner.deploy(project.TipJar, owner, treasury, FEE_BPS)
    jar.setTokenAllowed(usdc, True, sender=owner)
    return jar


@pytest.fixture(scope="module")
def approved_fan(jar, usdc, funded_fan):
    """`fan` with 1,000,000 USDC and an unlimited allowance to the jar."""
    usdc.approve(jar, MAX_UINT, sender=funded_fan)
    return funded_fan


@pytest.fixture(scope="module")
def approved_fan2(fan2, usdc, owner, jar):
    """`fan2` with 1,000 USDC and an unlimited allowance to the jar."""
    usdc.mint(fan2, 1_000 * USDC, sender=owner)
    usdc.approve(jar, MAX_UINT, sender=fan2)
    return fan2


@pytest.fixture(scope="module")
def fot_token(project, owner):
    """A fee-on-transfer token (1% burned per transfer), 6 decimals."""
    return owner.deploy(project.FeeOnTransferToken, 6, 100)


@pytest.fixture(scope="module")
def dai(project, owner):
    """A plain 18-decimal stablecoin."""
    return owner.deploy(project.TestToken, "DAI", 18)


@pytest.fixture(scope="module")
def split_factory(project, owner):
    return owner.deploy(project.SplitFactory)


@pytest.fixture
def fresh_fan(fans, usdc, owner):
    """A fan with 1,000 USDC that has never approved the jar (for permits and authorizations)."""
    usdc.mint(fans[2], 1_000 * USDC, sender=owner)
    return fans[2]
