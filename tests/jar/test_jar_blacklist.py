"""A blacklisted creator (MockUSDC blacklist) blocks nobody else, and can redirect via setPayout."""

import ape
from jar_helpers import FEE_BPS

from fairgift.fees import split
from tests.constants import USDC


def test_blacklisted_creator_blocks_no_one(
    jar, usdc, owner, approved_fan, creator, creator2, treasury, accounts
):
    jar.tip(creator, usdc, 10 * USDC, "", sender=approved_fan)
    jar.tip(creator2, usdc, 10 * USDC, "", sender=approved_fan)
    usdc.blacklist(creator, sender=owner)
    fee, net = split(10 * USDC, FEE_BPS)
    with ape.reverts(usdc.AccountBlacklisted, account=creator):
        jar.withdraw(usdc, sender=creator)
    assert jar.balanceOf(creator, usdc) == net  # the credit is kept
    # Fans can still tip the blacklisted creator (the jar receives), others withdraw normally.
    jar.tip(creator, usdc, 10 * USDC, "", sender=approved_fan)
    assert jar.withdraw(usdc, sender=creator2).return_value == net
    assert jar.withdraw(usdc, sender=treasury).return_value == 3 * fee
    assert usdc.balanceOf(creator2) == net
    # The creator redirects its payouts to a clean address and gets everything.
    fresh = accounts[9]
    jar.setPayout(fresh, sender=creator)
    tx = jar.withdraw(usdc, sender=creator)
    assert tx.return_value == 2 * net
    assert jar.Withdrawn(account=creator, token=usdc, to=fresh, amount=2 * net) in tx.events
    assert usdc.balanceOf(fresh) == 2 * net
    assert usdc.balanceOf(jar) == 0
