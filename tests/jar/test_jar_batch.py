"""tipBatch: fan-signed EIP-712 tips relayed in one transaction.

Semantics: a bad item is skipped with `BatchTipSkipped(index, fan, nonce, reason)`; no funds move
for it and its nonce stays unused. The batch reverts only when empty, for a token not allowed, or
when the token delivers less than the tips it booked.
"""

import ape
import pytest
from eth_account.messages import _hash_eip191_message
from jar_helpers import FEE_BPS, MSG32

from fairgift.batch import BatchTip, next_nonce, sign_tip, skip_reason, tip_message
from fairgift.fees import split
from fairgift.signing import domain_of
from tests.constants import MAX_UINT, USDC, ZERO_ADDRESS

REASON = {
    name: i
    for i, name in enumerate(
        ["None", "Expired", "ZeroAmount", "InvalidCreator", "NonceUsed", "BadSignature", "TransferFailed"]
    )
}


@pytest.fixture
def deadline(chain):
    return chain.pending_timestamp + 3600


def test_domain_and_digest(jar, usdc, approved_fan, creator, chain, deadline):
    assert domain_of(jar) == {
        "name": "FairGift TipJar",
        "version": "1",
        "chainId": chain.chain_id,
        "verifyingContract": jar.address,
    }
    msg = tip_message(jar, approved_fan, creator, usdc, 5, "hello", 7, deadline)
    digest = jar.batchTipDigest(approved_fan, creator, usdc, 5, "hello", 7, deadline)
    assert bytes(digest) == _hash_eip191_message(msg)


def test_good_batch(jar, usdc, approved_fan, approved_fan2, creator, creator2, treasury, relayer, deadline):
    items = [
        sign_tip(approved_fan, jar, creator, usdc, 10 * USDC, "one", 0, deadline),
        sign_tip(approved_fan2, jar, creator2, usdc, 3 * USDC, "two", 5, deadline),
        sign_tip(approved_fan, jar, creator2, usdc, 1, "three", 1, deadline),
    ]
    fan_before, fan2_before = usdc.balanceOf(approved_fan), usdc.balanceOf(approved_fan2)
    tx = jar.tipBatch(usdc, [i.as_tuple() for i in items], sender=relayer)
    assert tx.return_value == 3
    f1, n1 = split(10 * USDC, FEE_BPS)
    f2, n2 = split(3 * USDC, FEE_BPS)
    f3, n3 = split(1, FEE_BPS)
    tipped = [e for e in tx.events if e.event_name == "Tipped"]
    assert tipped == [
        jar.Tipped(
            fan=approved_fan, creator=creator, token=usdc, amount=10 * USDC, fee=f1, giftId=0, message="one"
        ),
        jar.Tipped(
            fan=approved_fan2, creator=creator2, token=usdc, amount=3 * USDC, fee=f2, giftId=0, message="two"
        ),
        jar.Tipped(
            fan=approved_fan, creator=creator2, token=usdc, amount=1, fee=f3, giftId=0, message="three"
        ),
    ]
    assert jar.balanceOf(creator, usdc) == n1
    assert jar.balanceOf(creator2, usdc) == n2 + n3
    assert jar.balanceOf(treasury, usdc) == f1 + f2 + f3
    assert usdc.balanceOf(approved_fan) == fan_before - 10 * USDC - 1
    assert usdc.balanceOf(approved_fan2) == fan2_before - 3 * USDC
    assert usdc.balanceOf(relayer) == 0
    assert jar.isNonceUsed(approved_fan, 0) and jar.isNonceUsed(approved_fan, 1)
    assert jar.isNonceUsed(approved_fan2, 5) and not jar.isNonceUsed(approved_fan2, 0)
    assert next_nonce(jar, approved_fan) == 2
    assert next_nonce(jar, approved_fan2) == 0
    assert next_nonce(jar, approved_fan2, start=5) == 6


def test_bad_items_skipped(
    jar, usdc, owner, approved_fan, approved_fan2, creator, treasury, relayer, accounts, chain, deadline
):
    broke = accounts[8]  # signed, but no allowance and no balance
    good = sign_tip(approved_fan, jar, creator, usdc, 2 * USDC, "ok", 0, deadline)
    expired = sign_tip(approved_fan, jar, creator, usdc, 1 * USDC, "late", 1, chain.pending_timestamp - 1)
    zero = sign_tip(approved_fan, jar, creator, usdc, 0, "zero", 2, deadline)
    to_jar = sign_tip(approved_fan, jar, jar, usdc, 1, "jar", 3, deadline)
    to_zero = sign_tip(approved_fan, jar, ZERO_ADDRESS, usdc, 1, "zero", 4, deadline)
    replay = good  # the same item twice in one batch
    forged = sign_tip(approved_fan2, jar, creator, usdc, 5 * USDC, "forged", 0, deadline)
    forged = BatchTip(str(approved_fan), *forged.as_tuple()[1:])  # claims to be approved_fan's tip
    raised = sign_tip(approved_fan2, jar, creator, usdc, 1 * USDC, "raise", 1, deadline)
    raised = BatchTip(raised.fan, raised.creator, 100 * USDC, *raised.as_tuple()[3:])  # amount altered
    no_funds = sign_tip(broke, jar, creator, usdc, 1 * USDC, "broke", 0, deadline)
    items = [good, expired, zero, to_jar, to_zero, replay, forged, raised, no_funds]
    fan_before = usdc.balanceOf(approved_fan)
    tx = jar.tipBatch(usdc, [i.as_tuple() for i in items], sender=relayer)
    assert tx.return_value == 1
    skipped = [e for e in tx.events if e.event_name == "BatchTipSkipped"]
    expected = [
        (1, approved_fan, 1, "Expired"),
        (2, approved_fan, 2, "ZeroAmount"),
        (3, approved_fan, 3, "InvalidCreator"),
        (4, approved_fan, 4, "InvalidCreator"),
        (5, approved_fan, 0, "NonceUsed"),
        (6, approved_fan, 0, "NonceUsed"),  # nonce 0 of approved_fan was just used by `good`
        (7, approved_fan2, 1, "BadSignature"),
        (8, broke, 0, "TransferFailed"),
    ]
    assert skipped == [
        jar.BatchTipSkipped(index=i, fan=f, nonce=n, reason=REASON[r]) for i, f, n, r in expected
    ]
    assert [skip_reason(e.reason) for e in skipped] == [r for *_, r in expected]
    # Only the good item moved funds; the skipped items' nonces are still free.
    fee, net = split(2 * USDC, FEE_BPS)
    assert jar.balanceOf(creator, usdc) == net
    assert jar.balanceOf(treasury, usdc) == fee
    assert usdc.balanceOf(approved_fan) == fan_before - 2 * USDC
    assert usdc.balanceOf(jar) == 2 * USDC
    for n in (1, 2, 3, 4):
        assert not jar.isNonceUsed(approved_fan, n)
    assert not jar.isNonceUsed(approved_fan2, 1)
    assert not jar.isNonceUsed(broke, 0)
    # The unfunded fan's tip goes through once the fan approves and is funded.
    usdc.mint(broke, 1 * USDC, sender=owner)
    usdc.approve(jar, MAX_UINT, sender=broke)
    assert jar.tipBatch(usdc, [no_funds.as_tuple()], sender=relayer).return_value == 1


def test_forged_by_wrong_signer(jar, usdc, approved_fan, approved_fan2, creator, relayer, deadline):
    forged = sign_tip(approved_fan2, jar, creator, usdc, 5 * USDC, "x", 9, deadline)
    forged = BatchTip(str(approved_fan), *forged.as_tuple()[1:])
    tx = jar.tipBatch(usdc, [forged.as_tuple()], sender=relayer)
    assert tx.return_value == 0
    assert tx.events == [
        jar.BatchTipSkipped(index=0, fan=approved_fan, nonce=9, reason=REASON["BadSignature"])
    ]
    assert jar.balanceOf(creator, usdc) == 0


def test_replay_in_a_later_batch(jar, usdc, approved_fan, creator, relayer, deadline):
    item = sign_tip(approved_fan, jar, creator, usdc, 1 * USDC, "once", 300, deadline)
    assert jar.tipBatch(usdc, [item.as_tuple()], sender=relayer).return_value == 1
    tx = jar.tipBatch(usdc, [item.as_tuple()], sender=relayer)
    assert tx.return_value == 0
    assert tx.events == [
        jar.BatchTipSkipped(index=0, fan=approved_fan, nonce=300, reason=REASON["NonceUsed"])
    ]
    assert jar.balanceOf(creator, usdc) == split(1 * USDC, FEE_BPS)[1]


def test_expired_at_deadline_boundary(jar, usdc, approved_fan, creator, relayer, chain):
    deadline = chain.pending_timestamp + 100
    item = sign_tip(approved_fan, jar, creator, usdc, 1 * USDC, "edge", 0, deadline)
    chain.pending_timestamp = deadline + 1
    tx = jar.tipBatch(usdc, [item.as_tuple()], sender=relayer)
    assert tx.events == [jar.BatchTipSkipped(index=0, fan=approved_fan, nonce=0, reason=REASON["Expired"])]
    item2 = sign_tip(approved_fan, jar, creator, usdc, 1 * USDC, "edge", 1, deadline + 10)
    chain.pending_timestamp = deadline + 10  # valid up to and including the deadline
    assert jar.tipBatch(usdc, [item2.as_tuple()], sender=relayer).return_value == 1


def test_invalidate_nonces(jar, usdc, approved_fan, creator, relayer, deadline):
    item = sign_tip(approved_fan, jar, creator, usdc, 1 * USDC, "cancel me", 257, deadline)
    tx = jar.invalidateNonces(1, 0b10, sender=approved_fan)
    assert tx.events == [jar.NoncesInvalidated(fan=approved_fan, word=1, mask=2)]
    assert jar.nonceBitmap(approved_fan, 1) == 2
    tx = jar.tipBatch(usdc, [item.as_tuple()], sender=relayer)
    assert tx.events == [
        jar.BatchTipSkipped(index=0, fan=approved_fan, nonce=257, reason=REASON["NonceUsed"])
    ]


def test_batch_level_errors(jar, usdc, dai, fot_token, owner, accounts, creator, relayer, deadline):
    with ape.reverts(jar.EmptyBatch):
        jar.tipBatch(usdc, [], sender=relayer)
    payer = accounts[8]
    item = sign_tip(payer, jar, creator, dai, 1, "", 0, deadline)
    with ape.reverts(jar.TokenNotAllowed, token=dai):
        jar.tipBatch(dai, [item.as_tuple()], sender=relayer)
    # A fee-on-transfer token reverts the whole batch: nothing is credited.
    jar.setTokenAllowed(fot_token, True, sender=owner)
    fot_token.mint(payer, 1_000 * USDC, sender=payer)
    fot_token.approve(jar, MAX_UINT, sender=payer)
    item = sign_tip(payer, jar, creator, fot_token, 100 * USDC, "", 0, deadline)
    with ape.reverts(jar.TransferShortfall, token=fot_token, expected=100 * USDC, received=99 * USDC):
        jar.tipBatch(fot_token, [item.as_tuple()], sender=relayer)


def test_signature_bound_to_token(jar, usdc, dai, owner, approved_fan, creator, relayer, deadline):
    """A tip signed for one token cannot be submitted in a batch of another."""
    jar.setTokenAllowed(dai, True, sender=owner)
    item = sign_tip(approved_fan, jar, creator, usdc, 1, "", 0, deadline)
    tx = jar.tipBatch(dai, [item.as_tuple()], sender=relayer)
    assert tx.events == [
        jar.BatchTipSkipped(index=0, fan=approved_fan, nonce=0, reason=REASON["BadSignature"])
    ]


def test_batch_credit_is_withdrawable(jar, usdc, approved_fan, creator, relayer, deadline):
    item = sign_tip(approved_fan, jar, creator, usdc, 7 * USDC, MSG32, 0, deadline)
    jar.tipBatch(usdc, [item.as_tuple()], sender=relayer)
    assert jar.withdraw(usdc, sender=creator).return_value == split(7 * USDC, FEE_BPS)[1]
