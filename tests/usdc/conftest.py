"""Real-USDC fixtures: Circle's FiatTokenV2_2 behind its FiatTokenProxy (deployed from the pinned
npm artifacts by `fairgift.circle_usdc`, as Circle deploys it), a TipJar that allows it and a
CreatorMarket priced in it. Module-scoped: each module starts from the same chain."""

import pytest
from usdc_helpers import JAR_FEE_BPS, PROTOCOL_BPS

from fairgift.gifts import DEFAULT_GIFTS
from tests.constants import BASE_PRICE, SLOPE, USDC
from tests.helpers.circle import circle_account, deploy_usdc, proxy_admin_account


@pytest.fixture(scope="module")
def circle(accounts, owner):
    """Circle: deploys USDC and holds its master-minter, minter, pauser, blacklister and owner
    roles (with ether to pay for that; the funding is rolled back with the module)."""
    return circle_account(accounts, owner)


@pytest.fixture(scope="module")
def usdc_proxy_admin(accounts, owner):
    """The proxy's admin: an account of its own (it cannot call the token through the proxy),
    with a little ether (the in-process chain charges gas even for a call)."""
    return proxy_admin_account(accounts, owner)


@pytest.fixture(scope="module")
def circle_usdc(circle, usdc_proxy_admin):
    return deploy_usdc(circle, usdc_proxy_admin)


@pytest.fixture(scope="module")
def real_usdc(circle_usdc):
    """The token: the proxy's address, called with FiatTokenV2_2's ABI."""
    return circle_usdc.token


@pytest.fixture(scope="module")
def usdc_jar(project, owner, treasury, real_usdc):
    jar = owner.deploy(project.TipJar, owner, treasury, JAR_FEE_BPS)
    jar.setTokenAllowed(real_usdc, True, sender=owner)
    for g in DEFAULT_GIFTS:
        jar.setGift(g.gift_id, g.name, g.price_usd6, sender=owner)
    return jar


@pytest.fixture(scope="module")
def usdc_market(project, owner, treasury, real_usdc):
    return owner.deploy(project.CreatorMarket, owner, real_usdc, treasury, PROTOCOL_BPS, BASE_PRICE, SLOPE)


@pytest.fixture(scope="module")
def usdc_fans(real_usdc, circle, fans):
    """Every fan with 1,000 real USDC (minted by Circle) and no allowance to anyone."""
    for account in fans:
        real_usdc.mint(account, 1_000 * USDC, sender=circle)
    return fans
