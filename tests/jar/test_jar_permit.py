"""tipWithPermit: with a fresh permit, and when someone front-ran the permit."""

import ape
from jar_helpers import FEE_BPS

from fairgift.fees import split
from fairgift.signing import permit_message, sign
from tests.constants import USDC


def test_tip_with_permit(jar, usdc, fresh_fan, creator, stranger, chain):
    deadline = chain.pending_timestamp + 3600
    v, r, s = sign(fresh_fan, permit_message(usdc, fresh_fan, jar, 5 * USDC, deadline))
    tx = jar.tipWithPermit(creator, usdc, 5 * USDC, "gm", deadline, v, r, s, sender=fresh_fan)
    fee, net = split(5 * USDC, FEE_BPS)
    assert tx.return_value == fee
    assert jar.balanceOf(creator, usdc) == net
    assert usdc.allowance(fresh_fan, jar) == 0
    assert usdc.nonces(fresh_fan) == 1


def test_front_run_permit_still_tips(jar, usdc, fresh_fan, creator, stranger, chain):
    deadline = chain.pending_timestamp + 3600
    v, r, s = sign(fresh_fan, permit_message(usdc, fresh_fan, jar, 5 * USDC, deadline))
    usdc.permit(fresh_fan, jar, 5 * USDC, deadline, v, r, s, sender=stranger)  # the front-run
    tx = jar.tipWithPermit(creator, usdc, 5 * USDC, "gm", deadline, v, r, s, sender=fresh_fan)
    assert tx.return_value == split(5 * USDC, FEE_BPS)[0]
    assert jar.balanceOf(creator, usdc) == split(5 * USDC, FEE_BPS)[1]
    assert usdc.allowance(fresh_fan, jar) == 0


def test_failed_permit_without_allowance(jar, usdc, fresh_fan, creator, stranger, chain):
    deadline = chain.pending_timestamp + 3600
    v, r, s = sign(stranger, permit_message(usdc, fresh_fan, jar, 5 * USDC, deadline))  # wrong signer
    with ape.reverts(jar.PermitFailed, token=usdc, allowance=0, amount=5 * USDC):
        jar.tipWithPermit(creator, usdc, 5 * USDC, "gm", deadline, v, r, s, sender=fresh_fan)
    # Front-run with a smaller allowance than the tip: still rejected.
    usdc.approve(jar, 1 * USDC, sender=fresh_fan)
    with ape.reverts(jar.PermitFailed, token=usdc, allowance=1 * USDC, amount=5 * USDC):
        jar.tipWithPermit(creator, usdc, 5 * USDC, "gm", deadline, v, r, s, sender=fresh_fan)
