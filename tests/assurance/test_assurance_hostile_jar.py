"""Hostile environment around the tip jar: hostile tokens, hostile or unlucky actors, extremes.
Each case asserts the exact safe outcome: a specific custom error, or success with exact balances."""

import ape
import pytest

from fairgift.assurance import error_data
from fairgift.fees import split
from fairgift.signing import (
    authorization_message,
    permit_message,
    random_salt,
    sign,
    tip_authorization_nonce,
)

pytestmark = pytest.mark.hostile


def eth_call_revert(sender, to, value: int, data: bytes) -> bytes:
    """The revert data of a plain call (with ETH) from `sender` to `to`, or b"" if it succeeds."""
    tx = {"from": str(sender.address), "to": str(to.address), "value": hex(value), "data": "0x" + data.hex()}
    response = to.provider.web3.provider.make_request("eth_call", [tx, "latest"])
    return bytes.fromhex(response["error"]["data"][2:]) if "error" in response else b""


FEE = 300
USDC = 10**6
MAX_UINT = 2**256 - 1
DELAY = 7 * 24 * 3600


@pytest.fixture
def jar(project, owner, treasury, usdc):
    jar = owner.deploy(project.TipJar, owner, treasury, FEE)
    jar.setTokenAllowed(usdc, True, sender=owner)
    return jar


@pytest.fixture
def payer(usdc, owner, fan, jar):
    usdc.mint(fan, 1_000 * USDC, sender=owner)
    usdc.approve(jar, MAX_UINT, sender=fan)
    return fan


def _fund(token, fan, jar, amount):
    token.mint(fan, amount, sender=fan)
    token.approve(jar, MAX_UINT, sender=fan)


# ---------------------------------------------------------------------- hostile tokens


def test_usdt_like_token_without_return_values(jar, owner, usdt, fan, creator, treasury):
    jar.setTokenAllowed(usdt, True, sender=owner)
    _fund(usdt, fan, jar, 10 * USDC)
    jar.tip(creator, usdt, 7 * USDC, "hi", sender=fan)
    fee, net = split(7 * USDC, FEE)
    assert (jar.balanceOf(creator, usdt), jar.balanceOf(treasury, usdt)) == (net, fee)
    tx = jar.withdraw(usdt, sender=creator)
    assert jar.Withdrawn(account=creator, token=usdt, to=creator, amount=net) in tx.events
    assert usdt.balanceOf(creator) == net
    jar.withdraw(usdt, sender=treasury)
    assert usdt.balanceOf(treasury) == fee
    assert usdt.balanceOf(jar) == 0
    assert usdt.balanceOf(fan) == 3 * USDC


def test_false_returning_token_pull_rejected(jar, owner, false_token, fan, creator):
    jar.setTokenAllowed(false_token, True, sender=owner)
    false_token.mint(fan, 10 * USDC, sender=fan)  # but no allowance: transferFrom returns false
    with ape.reverts(jar.SafeERC20FailedOperation, token=false_token):
        jar.tip(creator, false_token, 1 * USDC, "hi", sender=fan)
    assert jar.balanceOf(creator, false_token) == 0
    assert false_token.balanceOf(fan) == 10 * USDC


def test_false_returning_token_payout_failure_keeps_credit(jar, owner, false_token, fan, creator):
    jar.setTokenAllowed(false_token, True, sender=owner)
    _fund(false_token, fan, jar, 10 * USDC)
    jar.tip(creator, false_token, 10 * USDC, "hi", sender=fan)
    _, net = split(10 * USDC, FEE)
    false_token.setFailAll(True, sender=owner)
    with ape.reverts(jar.SafeERC20FailedOperation, token=false_token):
        jar.withdraw(false_token, sender=creator)
    assert jar.balanceOf(creator, false_token) == net  # nothing lost: the credit stands
    false_token.setFailAll(False, sender=owner)
    jar.withdraw(false_token, sender=creator)
    assert false_token.balanceOf(creator) == net


@pytest.mark.parametrize("before", [True, False], ids=["hook-before", "hook-after"])
@pytest.mark.parametrize("reenter", ["withdraw", "tip"])
def test_reentrant_token_during_tip_is_rejected(jar, owner, reentrant_token, fan, creator, before, reenter):
    token = reentrant_token
    jar.setTokenAllowed(token, True, sender=owner)
    _fund(token, fan, jar, 10 * USDC)
    jar.tip(creator, token, 1 * USDC, "seed", sender=fan)  # the jar holds something to steal
    data = (
        jar.withdraw.encode_input(token)
        if reenter == "withdraw"
        else jar.tip.encode_input(creator, token, 1, "again")
    )
    token.arm(jar, data, before, sender=owner)
    with ape.reverts(jar.ReentrancyGuardReentrantCall):
        jar.tip(creator, token, 2 * USDC, "hook", sender=fan)
    assert token.balanceOf(jar) == 1 * USDC
    assert token.reentered() == 0


@pytest.mark.parametrize("before", [True, False], ids=["hook-before", "hook-after"])
def test_reentrant_token_during_withdraw_is_rejected(jar, owner, reentrant_token, fan, creator, before):
    token = reentrant_token
    jar.setTokenAllowed(token, True, sender=owner)
    _fund(token, fan, jar, 10 * USDC)
    jar.tip(creator, token, 10 * USDC, "seed", sender=fan)
    _, net = split(10 * USDC, FEE)
    token.arm(jar, jar.withdrawFor.encode_input(creator, token), before, sender=owner)
    with ape.reverts(jar.ReentrancyGuardReentrantCall):
        jar.withdraw(token, sender=creator)
    assert jar.balanceOf(creator, token) == net
    assert token.balanceOf(jar) == 10 * USDC


def test_fee_on_transfer_token_rejected(project, jar, owner, fan, creator):
    fot = owner.deploy(project.FeeOnTransferToken, 6, 100)  # burns 1% per transfer
    jar.setTokenAllowed(fot, True, sender=owner)
    _fund(fot, fan, jar, 10 * USDC)
    with ape.reverts(jar.TransferShortfall, token=fot, expected=10 * USDC, received=9_900_000):
        jar.tip(creator, fot, 10 * USDC, "hi", sender=fan)
    assert jar.balanceOf(creator, fot) == 0


@pytest.mark.parametrize("decimals", [0, 2, 5])
def test_token_below_six_decimals_rejected(project, jar, owner, decimals):
    token = owner.deploy(project.TestToken, "LOW", decimals)
    with ape.reverts(jar.UnsupportedDecimals, token=token, decimals=decimals):
        jar.setTokenAllowed(token, True, sender=owner)
    assert not jar.isTokenAllowed(token)


def test_contract_without_decimals_rejected(jar, owner, rejecting):
    with ape.reverts(jar.DecimalsUnreadable, token=rejecting):
        jar.setTokenAllowed(rejecting, True, sender=owner)


# ---------------------------------------------------------------------- hostile or unlucky actors


def test_reverting_contract_creator_is_paid_by_push(jar, usdc, payer, rejecting, other):
    jar.tip(rejecting, usdc, 5 * USDC, "hi", sender=payer)
    _, net = split(5 * USDC, FEE)
    # It really rejects incoming ETH and calls (the mock's own check).
    assert eth_call_revert(other, rejecting, 1, b"") == error_data(rejecting, "Rejected", other, 1, b"\0" * 4)
    jar.withdrawFor(rejecting, usdc, sender=other)
    assert usdc.balanceOf(rejecting) == net
    assert jar.balanceOf(rejecting, usdc) == 0


def test_blacklisted_creator_blocks_nobody_and_can_redirect(
    jar, usdc, owner, payer, creator, other, treasury
):
    usdc.blacklist(creator, sender=owner)
    jar.tip(creator, usdc, 10 * USDC, "still credited", sender=payer)
    jar.tip(other, usdc, 10 * USDC, "other creator", sender=payer)
    fee, net = split(10 * USDC, FEE)
    with ape.reverts(usdc.AccountBlacklisted, account=creator):
        jar.withdraw(usdc, sender=creator)
    assert jar.balanceOf(creator, usdc) == net
    jar.withdraw(usdc, sender=other)  # another creator is not blocked
    jar.withdraw(usdc, sender=treasury)  # nor is the treasury
    assert usdc.balanceOf(other) == net and usdc.balanceOf(treasury) == 2 * fee
    payout = "0x000000000000000000000000000000000000dEaD"
    jar.setPayout(payout, sender=creator)
    jar.withdraw(usdc, sender=creator)
    assert usdc.balanceOf(payout) == net
    assert usdc.balanceOf(jar) == 0


def test_blacklisted_treasury_blocks_nobody(jar, usdc, owner, payer, creator, treasury, accounts):
    usdc.blacklist(treasury, sender=owner)
    jar.tip(creator, usdc, 10 * USDC, "hi", sender=payer)
    fee, net = split(10 * USDC, FEE)
    with ape.reverts(usdc.AccountBlacklisted, account=treasury):
        jar.withdraw(usdc, sender=treasury)
    jar.withdraw(usdc, sender=creator)
    assert usdc.balanceOf(creator) == net
    new_treasury = accounts[8]
    jar.setTreasury(new_treasury, sender=owner)
    jar.tip(creator, usdc, 10 * USDC, "hi", sender=payer)
    assert jar.balanceOf(treasury, usdc) == fee  # past fees stay with the old treasury
    assert jar.balanceOf(new_treasury, usdc) == fee


def test_permit_front_run_does_not_block_the_tip(jar, usdc, payer, creator, attacker, chain):
    deadline = chain.pending_timestamp + 3600
    v, r, s = sign(payer, permit_message(usdc, payer, jar, 5 * USDC, deadline))
    usdc.approve(jar, 0, sender=payer)
    usdc.permit(payer, jar, 5 * USDC, deadline, v, r, s, sender=attacker)  # front-run: uses the nonce
    before = usdc.balanceOf(payer)
    jar.tipWithPermit(creator, usdc, 5 * USDC, "hi", deadline, v, r, s, sender=payer)
    _, net = split(5 * USDC, FEE)
    assert jar.balanceOf(creator, usdc) == net
    assert usdc.balanceOf(payer) == before - 5 * USDC
    assert usdc.allowance(payer, jar) == 0


def test_permit_front_run_then_allowance_spent_elsewhere_fails_exactly(
    jar, usdc, payer, creator, attacker, chain
):
    deadline = chain.pending_timestamp + 3600
    v, r, s = sign(payer, permit_message(usdc, payer, jar, 5 * USDC, deadline))
    usdc.approve(jar, 0, sender=payer)
    usdc.permit(payer, jar, 5 * USDC, deadline, v, r, s, sender=attacker)
    usdc.approve(jar, 1, sender=payer)  # the allowance no longer covers the tip
    with ape.reverts(jar.PermitFailed, token=usdc, allowance=1, amount=5 * USDC):
        jar.tipWithPermit(creator, usdc, 5 * USDC, "hi", deadline, v, r, s, sender=payer)


def _authorization(usdc, jar, fan, creator, amount, message, chain):
    salt = random_salt()
    valid_before = chain.pending_timestamp + 3600
    nonce = tip_authorization_nonce(creator, message, salt)
    v, r, s = sign(fan, authorization_message(usdc, fan, jar, amount, 0, valid_before, nonce))
    return salt, valid_before, nonce, (v, r, s)


@pytest.mark.parametrize("change", ["creator", "message", "amount"])
def test_relayer_cannot_redirect_an_authorization(jar, usdc, payer, creator, attacker, chain, change):
    salt, valid_before, _, sig = _authorization(usdc, jar, payer, creator, 5 * USDC, "for you", chain)
    to, message, amount = creator, "for you", 5 * USDC
    if change == "creator":
        to = attacker
    elif change == "message":
        message = "for me"
    else:
        amount = 50 * USDC
    with ape.reverts(usdc.InvalidAuthorizationSigner):
        jar.tipWithAuthorization(
            payer, to, usdc, amount, message, 0, valid_before, salt, *sig, sender=attacker
        )
    assert jar.balanceOf(to, usdc) == 0
    assert usdc.balanceOf(payer) == 1_000 * USDC


def test_relayer_cannot_replay_an_authorization(jar, usdc, payer, creator, attacker, chain):
    salt, valid_before, nonce, sig = _authorization(usdc, jar, payer, creator, 5 * USDC, "once", chain)
    jar.tipWithAuthorization(
        payer, creator, usdc, 5 * USDC, "once", 0, valid_before, salt, *sig, sender=attacker
    )
    with ape.reverts(usdc.AuthorizationAlreadyUsed, authorizer=payer, nonce=nonce):
        jar.tipWithAuthorization(
            payer, creator, usdc, 5 * USDC, "once", 0, valid_before, salt, *sig, sender=attacker
        )
    _, net = split(5 * USDC, FEE)
    assert jar.balanceOf(creator, usdc) == net
    assert usdc.balanceOf(payer) == 995 * USDC


def test_fee_increase_front_running_a_tip_pays_the_old_fee(jar, usdc, owner, payer, creator, treasury, chain):
    jar.scheduleFee(1000, sender=owner)  # the owner front-runs the fan's tip with the maximum
    tx = jar.tip(creator, usdc, 10 * USDC, "hi", sender=payer)
    fee, net = split(10 * USDC, FEE)
    assert (
        jar.Tipped(fan=payer, creator=creator, token=usdc, amount=10 * USDC, fee=fee, giftId=0, message="hi")
        in tx.events
    )
    assert (jar.balanceOf(creator, usdc), jar.balanceOf(treasury, usdc)) == (net, fee)


OWNER_CALLS = [
    ("scheduleFee", lambda c: (1,)),
    ("cancelFee", lambda c: ()),
    ("setTreasury", lambda c: (c["attacker"],)),
    ("setTokenAllowed", lambda c: (c["usdc"], False)),
    ("setGift", lambda c: (1, "Rose", 1)),
    ("transferOwnership", lambda c: (c["attacker"],)),
    ("renounceOwnership", lambda c: ()),
]


@pytest.mark.parametrize("method,args", OWNER_CALLS, ids=[m for m, _ in OWNER_CALLS])
@pytest.mark.parametrize("who", ["attacker", "creator", "treasury"])
def test_non_owner_rejected_on_every_owner_function(
    jar, usdc, attacker, creator, treasury, method, args, who
):
    caller = {"attacker": attacker, "creator": creator, "treasury": treasury}[who]
    with ape.reverts(jar.OwnableUnauthorizedAccount, account=caller):
        getattr(jar, method)(*args({"attacker": attacker, "usdc": usdc}), sender=caller)


# ---------------------------------------------------------------------- extremes


def test_one_unit_tip(jar, usdc, payer, creator, treasury):
    jar.tip(creator, usdc, 1, "", sender=payer)
    assert (jar.balanceOf(creator, usdc), jar.balanceOf(treasury, usdc)) == (1, 0)


@pytest.mark.parametrize("amount", [2**255, 2**255 + 12_345, 2**256 - 1])
def test_tip_near_two_to_the_255(project, jar, owner, fan, creator, treasury, amount):
    token = owner.deploy(project.TestToken, "BIG", 18)
    jar.setTokenAllowed(token, True, sender=owner)
    _fund(token, fan, jar, amount)
    jar.tip(creator, token, amount, "whale", sender=fan)
    fee, net = split(amount, FEE)
    assert (jar.balanceOf(creator, token), jar.balanceOf(treasury, token)) == (net, fee)
    assert token.balanceOf(jar) == amount
    jar.withdraw(token, sender=creator)
    jar.withdraw(token, sender=treasury)
    assert (token.balanceOf(creator), token.balanceOf(treasury), token.balanceOf(jar)) == (net, fee, 0)
