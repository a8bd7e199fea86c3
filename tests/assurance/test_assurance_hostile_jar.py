"""Hostile environment around the tip jar: hostile tokens, hostile or unlucky actors, extremes.
Each case asserts the exact safe outcome: a specific custom error, or success with exact balances."""

import ape
import pytest
from machinery import error_data

from fairgift.fees import split
from fairgift.signing import (
    authorization_message,
    permit_message,
    random_salt,
    sign,
    tip_authorization_nonce,
)
from tests.constants import MAX_UINT, USDC

pytestmark = pytest.mark.hostile


def eth_call_revert(sender, to, value: int, data: bytes) -> bytes:
    """The revert data of a plain call (with ETH) from `sender` to `to`, or b"" if it succeeds.
    Through web3's `eth.call`, which formats the request for anvil and for the in-process chain."""
    from ast import literal_eval

    from eth_tester.exceptions import TransactionFailed
    from web3.exceptions import ContractLogicError

    tx = {"from": str(sender.address), "to": str(to.address), "value": value, "data": data}
    try:
        to.provider.web3.eth.call(tx)
    except ContractLogicError as revert:  # anvil
        return bytes.fromhex(revert.data[2:])
    except TransactionFailed as revert:
        # The in-process chain (eth-tester) gives only `execution reverted: b'...'`, the repr of
        # the revert data: read back as ape-test itself does (`get_virtual_machine_error`).
        return literal_eval(str(revert).split("execution reverted: ", 1)[1])
    return b""


FEE = 300


@pytest.fixture
def hjar(project, owner, treasury, usdc):
    hjar = owner.deploy(project.TipJar, owner, treasury, FEE)
    hjar.setTokenAllowed(usdc, True, sender=owner)
    return hjar


@pytest.fixture
def payer(usdc, owner, fan, hjar):
    """`fan` holding exactly 1,000 USDC (other areas' session fixtures may have funded it before;
    the test's snapshot restores whatever it held)."""
    held = usdc.balanceOf(fan)
    if held:
        usdc.transfer(owner, held, sender=fan)
    usdc.mint(fan, 1_000 * USDC, sender=owner)
    usdc.approve(hjar, MAX_UINT, sender=fan)
    return fan


def _fund(token, fan, hjar, amount):
    token.mint(fan, amount, sender=fan)
    token.approve(hjar, MAX_UINT, sender=fan)


# ---------------------------------------------------------------------- hostile tokens


def test_usdt_like_token_without_return_values(hjar, owner, usdt, fan, creator, treasury):
    hjar.setTokenAllowed(usdt, True, sender=owner)
    _fund(usdt, fan, hjar, 10 * USDC)
    hjar.tip(creator, usdt, 7 * USDC, "hi", sender=fan)
    fee, net = split(7 * USDC, FEE)
    assert (hjar.balanceOf(creator, usdt), hjar.balanceOf(treasury, usdt)) == (net, fee)
    tx = hjar.withdraw(usdt, sender=creator)
    assert hjar.Withdrawn(account=creator, token=usdt, to=creator, amount=net) in tx.events
    assert usdt.balanceOf(creator) == net
    hjar.withdraw(usdt, sender=treasury)
    assert usdt.balanceOf(treasury) == fee
    assert usdt.balanceOf(hjar) == 0
    assert usdt.balanceOf(fan) == 3 * USDC


def test_false_returning_token_pull_rejected(hjar, owner, false_token, fan, creator):
    hjar.setTokenAllowed(false_token, True, sender=owner)
    false_token.mint(fan, 10 * USDC, sender=fan)  # but no allowance: transferFrom returns false
    with ape.reverts(hjar.SafeERC20FailedOperation, token=false_token):
        hjar.tip(creator, false_token, 1 * USDC, "hi", sender=fan)
    assert hjar.balanceOf(creator, false_token) == 0
    assert false_token.balanceOf(fan) == 10 * USDC


def test_false_returning_token_payout_failure_keeps_credit(hjar, owner, false_token, fan, creator):
    hjar.setTokenAllowed(false_token, True, sender=owner)
    _fund(false_token, fan, hjar, 10 * USDC)
    hjar.tip(creator, false_token, 10 * USDC, "hi", sender=fan)
    _, net = split(10 * USDC, FEE)
    false_token.setFailAll(True, sender=owner)
    with ape.reverts(hjar.SafeERC20FailedOperation, token=false_token):
        hjar.withdraw(false_token, sender=creator)
    assert hjar.balanceOf(creator, false_token) == net  # nothing lost: the credit stands
    false_token.setFailAll(False, sender=owner)
    hjar.withdraw(false_token, sender=creator)
    assert false_token.balanceOf(creator) == net


@pytest.mark.parametrize("before", [True, False], ids=["hook-before", "hook-after"])
@pytest.mark.parametrize("reenter", ["withdraw", "tip"])
def test_reentrant_token_during_tip_is_rejected(hjar, owner, reentrant_token, fan, creator, before, reenter):
    token = reentrant_token
    hjar.setTokenAllowed(token, True, sender=owner)
    _fund(token, fan, hjar, 10 * USDC)
    hjar.tip(creator, token, 1 * USDC, "seed", sender=fan)  # the jar holds something to steal
    data = (
        hjar.withdraw.encode_input(token)
        if reenter == "withdraw"
        else hjar.tip.encode_input(creator, token, 1, "again")
    )
    token.arm(hjar, data, before, sender=owner)
    with ape.reverts(hjar.ReentrancyGuardReentrantCall):
        hjar.tip(creator, token, 2 * USDC, "hook", sender=fan)
    assert token.balanceOf(hjar) == 1 * USDC
    assert token.reentered() == 0


@pytest.mark.parametrize("before", [True, False], ids=["hook-before", "hook-after"])
def test_reentrant_token_during_withdraw_is_rejected(hjar, owner, reentrant_token, fan, creator, before):
    token = reentrant_token
    hjar.setTokenAllowed(token, True, sender=owner)
    _fund(token, fan, hjar, 10 * USDC)
    hjar.tip(creator, token, 10 * USDC, "seed", sender=fan)
    _, net = split(10 * USDC, FEE)
    token.arm(hjar, hjar.withdrawFor.encode_input(creator, token), before, sender=owner)
    with ape.reverts(hjar.ReentrancyGuardReentrantCall):
        hjar.withdraw(token, sender=creator)
    assert hjar.balanceOf(creator, token) == net
    assert token.balanceOf(hjar) == 10 * USDC


def test_fee_on_transfer_token_rejected(project, hjar, owner, fan, creator):
    fot = owner.deploy(project.FeeOnTransferToken, 6, 100)  # burns 1% per transfer
    hjar.setTokenAllowed(fot, True, sender=owner)
    _fund(fot, fan, hjar, 10 * USDC)
    with ape.reverts(hjar.TransferShortfall, token=fot, expected=10 * USDC, received=9_900_000):
        hjar.tip(creator, fot, 10 * USDC, "hi", sender=fan)
    assert hjar.balanceOf(creator, fot) == 0


@pytest.mark.parametrize("decimals", [0, 2, 5])
def test_token_below_six_decimals_rejected(project, hjar, owner, decimals):
    token = owner.deploy(project.TestToken, "LOW", decimals)
    with ape.reverts(hjar.UnsupportedDecimals, token=token, decimals=decimals):
        hjar.setTokenAllowed(token, True, sender=owner)
    assert not hjar.isTokenAllowed(token)


def test_contract_without_decimals_rejected(hjar, owner, rejecting):
    with ape.reverts(hjar.DecimalsUnreadable, token=rejecting):
        hjar.setTokenAllowed(rejecting, True, sender=owner)


# ---------------------------------------------------------------------- hostile or unlucky actors


def test_reverting_contract_creator_is_paid_by_push(hjar, usdc, payer, rejecting, stranger):
    hjar.tip(rejecting, usdc, 5 * USDC, "hi", sender=payer)
    _, net = split(5 * USDC, FEE)
    # It really rejects incoming ETH and calls (the mock's own check).
    assert eth_call_revert(stranger, rejecting, 1, b"") == error_data(
        rejecting, "Rejected", stranger, 1, b"\0" * 4
    )
    hjar.withdrawFor(rejecting, usdc, sender=stranger)
    assert usdc.balanceOf(rejecting) == net
    assert hjar.balanceOf(rejecting, usdc) == 0


def test_blacklisted_creator_blocks_nobody_and_can_redirect(
    hjar, usdc, owner, payer, creator, stranger, treasury
):
    usdc.blacklist(creator, sender=owner)
    hjar.tip(creator, usdc, 10 * USDC, "still credited", sender=payer)
    hjar.tip(stranger, usdc, 10 * USDC, "other creator", sender=payer)
    fee, net = split(10 * USDC, FEE)
    with ape.reverts(usdc.AccountBlacklisted, account=creator):
        hjar.withdraw(usdc, sender=creator)
    assert hjar.balanceOf(creator, usdc) == net
    hjar.withdraw(usdc, sender=stranger)  # another creator is not blocked
    hjar.withdraw(usdc, sender=treasury)  # nor is the treasury
    assert usdc.balanceOf(stranger) == net and usdc.balanceOf(treasury) == 2 * fee
    payout = "0x000000000000000000000000000000000000dEaD"
    hjar.setPayout(payout, sender=creator)
    hjar.withdraw(usdc, sender=creator)
    assert usdc.balanceOf(payout) == net
    assert usdc.balanceOf(hjar) == 0


def test_blacklisted_treasury_blocks_nobody(hjar, usdc, owner, payer, creator, treasury, accounts):
    usdc.blacklist(treasury, sender=owner)
    hjar.tip(creator, usdc, 10 * USDC, "hi", sender=payer)
    fee, net = split(10 * USDC, FEE)
    with ape.reverts(usdc.AccountBlacklisted, account=treasury):
        hjar.withdraw(usdc, sender=treasury)
    hjar.withdraw(usdc, sender=creator)
    assert usdc.balanceOf(creator) == net
    new_treasury = accounts[8]
    hjar.setTreasury(new_treasury, sender=owner)
    hjar.tip(creator, usdc, 10 * USDC, "hi", sender=payer)
    assert hjar.balanceOf(treasury, usdc) == fee  # past fees stay with the old treasury
    assert hjar.balanceOf(new_treasury, usdc) == fee


def test_permit_front_run_does_not_block_the_tip(hjar, usdc, payer, creator, attacker, chain):
    deadline = chain.pending_timestamp + 3600
    v, r, s = sign(payer, permit_message(usdc, payer, hjar, 5 * USDC, deadline))
    usdc.approve(hjar, 0, sender=payer)
    usdc.permit(payer, hjar, 5 * USDC, deadline, v, r, s, sender=attacker)  # front-run: uses the nonce
    before = usdc.balanceOf(payer)
    hjar.tipWithPermit(creator, usdc, 5 * USDC, "hi", deadline, v, r, s, sender=payer)
    _, net = split(5 * USDC, FEE)
    assert hjar.balanceOf(creator, usdc) == net
    assert usdc.balanceOf(payer) == before - 5 * USDC
    assert usdc.allowance(payer, hjar) == 0


def test_permit_front_run_then_allowance_spent_elsewhere_fails_exactly(
    hjar, usdc, payer, creator, attacker, chain
):
    deadline = chain.pending_timestamp + 3600
    v, r, s = sign(payer, permit_message(usdc, payer, hjar, 5 * USDC, deadline))
    usdc.approve(hjar, 0, sender=payer)
    usdc.permit(payer, hjar, 5 * USDC, deadline, v, r, s, sender=attacker)
    usdc.approve(hjar, 1, sender=payer)  # the allowance no longer covers the tip
    with ape.reverts(hjar.PermitFailed, token=usdc, allowance=1, amount=5 * USDC):
        hjar.tipWithPermit(creator, usdc, 5 * USDC, "hi", deadline, v, r, s, sender=payer)


def _authorization(usdc, hjar, fan, creator, amount, message, chain):
    salt = random_salt()
    valid_before = chain.pending_timestamp + 3600
    nonce = tip_authorization_nonce(creator, message, salt)
    v, r, s = sign(fan, authorization_message(usdc, fan, hjar, amount, 0, valid_before, nonce))
    return salt, valid_before, nonce, (v, r, s)


@pytest.mark.parametrize("change", ["creator", "message", "amount"])
def test_relayer_cannot_redirect_an_authorization(hjar, usdc, payer, creator, attacker, chain, change):
    salt, valid_before, _, sig = _authorization(usdc, hjar, payer, creator, 5 * USDC, "for you", chain)
    to, message, amount = creator, "for you", 5 * USDC
    if change == "creator":
        to = attacker
    elif change == "message":
        message = "for me"
    else:
        amount = 50 * USDC
    with ape.reverts(usdc.InvalidAuthorizationSigner):
        hjar.tipWithAuthorization(
            payer, to, usdc, amount, message, 0, valid_before, salt, *sig, sender=attacker
        )
    assert hjar.balanceOf(to, usdc) == 0
    assert usdc.balanceOf(payer) == 1_000 * USDC


def test_relayer_cannot_replay_an_authorization(hjar, usdc, payer, creator, attacker, chain):
    salt, valid_before, nonce, sig = _authorization(usdc, hjar, payer, creator, 5 * USDC, "once", chain)
    hjar.tipWithAuthorization(
        payer, creator, usdc, 5 * USDC, "once", 0, valid_before, salt, *sig, sender=attacker
    )
    with ape.reverts(usdc.AuthorizationAlreadyUsed, authorizer=payer, nonce=nonce):
        hjar.tipWithAuthorization(
            payer, creator, usdc, 5 * USDC, "once", 0, valid_before, salt, *sig, sender=attacker
        )
    _, net = split(5 * USDC, FEE)
    assert hjar.balanceOf(creator, usdc) == net
    assert usdc.balanceOf(payer) == 995 * USDC


def test_fee_increase_front_running_a_tip_pays_the_old_fee(
    hjar, usdc, owner, payer, creator, treasury, chain
):
    hjar.scheduleFee(1000, sender=owner)  # the owner front-runs the fan's tip with the maximum
    tx = hjar.tip(creator, usdc, 10 * USDC, "hi", sender=payer)
    fee, net = split(10 * USDC, FEE)
    assert (
        hjar.Tipped(fan=payer, creator=creator, token=usdc, amount=10 * USDC, fee=fee, giftId=0, message="hi")
        in tx.events
    )
    assert (hjar.balanceOf(creator, usdc), hjar.balanceOf(treasury, usdc)) == (net, fee)


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
    hjar, usdc, attacker, creator, treasury, method, args, who
):
    caller = {"attacker": attacker, "creator": creator, "treasury": treasury}[who]
    with ape.reverts(hjar.OwnableUnauthorizedAccount, account=caller):
        getattr(hjar, method)(*args({"attacker": attacker, "usdc": usdc}), sender=caller)


# ---------------------------------------------------------------------- extremes


def test_one_unit_tip(hjar, usdc, payer, creator, treasury):
    hjar.tip(creator, usdc, 1, "", sender=payer)
    assert (hjar.balanceOf(creator, usdc), hjar.balanceOf(treasury, usdc)) == (1, 0)


@pytest.mark.parametrize("amount", [2**255, 2**255 + 12_345, 2**256 - 1])
def test_tip_near_two_to_the_255(project, hjar, owner, fan, creator, treasury, amount):
    token = owner.deploy(project.TestToken, "BIG", 18)
    hjar.setTokenAllowed(token, True, sender=owner)
    _fund(token, fan, hjar, amount)
    hjar.tip(creator, token, amount, "whale", sender=fan)
    fee, net = split(amount, FEE)
    assert (hjar.balanceOf(creator, token), hjar.balanceOf(treasury, token)) == (net, fee)
    assert token.balanceOf(hjar) == amount
    hjar.withdraw(token, sender=creator)
    hjar.withdraw(token, sender=treasury)
    assert (token.balanceOf(creator), token.balanceOf(treasury), token.balanceOf(hjar)) == (net, fee, 0)
