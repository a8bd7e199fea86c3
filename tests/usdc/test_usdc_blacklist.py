"""Circle's blacklist and pause against FairGift (SECURITY.md "What the stablecoin's admin can do"):
a blacklisted fan cannot pay and a batch skips it alone; a blacklisted creator or treasury keeps its
credit and reaches it through `setPayout`; a paused token stops every movement with USDC's own
reason, and nothing is credited or lost; after the unpause everything works again."""

import ape
import pytest
from usdc_helpers import BLACKLISTED, JAR_FEE_BPS, PAUSED

from fairgift.batch import batch_args, sign_tip
from fairgift.errors import FairGiftError, translated
from fairgift.signing import authorization_message, sign
from tests.constants import MAX_UINT, USDC

TRANSFER_FAILED = 6  # TipJar.SkipReason.TransferFailed


def fee_of(amount):
    return amount * JAR_FEE_BPS // 10_000


@pytest.fixture
def approved_usdc_fans(usdc_fans, real_usdc, usdc_jar):
    for account in usdc_fans:
        real_usdc.approve(usdc_jar, MAX_UINT, sender=account)
    return usdc_fans


def test_a_blacklisted_fan_cannot_tip(usdc_jar, real_usdc, approved_usdc_fans, creator, circle):
    fan = approved_usdc_fans[0]
    real_usdc.blacklist(fan, sender=circle)
    with ape.reverts(BLACKLISTED):
        usdc_jar.tip(creator, real_usdc, USDC, "hi", sender=fan)
    with pytest.raises(FairGiftError, match=f"^tip: rejected by the contract: {BLACKLISTED}$"):
        with translated("tip"):
            usdc_jar.tip(creator, real_usdc, USDC, "hi", sender=fan)
    assert usdc_jar.balanceOf(creator, real_usdc) == 0


def test_a_blacklisted_fans_authorization_is_refused(
    usdc_jar, real_usdc, usdc_fans, creator, relayer, circle, chain
):
    fan, salt = usdc_fans[1], b"\x02" * 32
    real_usdc.blacklist(fan, sender=circle)
    nonce = usdc_jar.tipAuthorizationNonce(creator, "hi", salt)
    before = chain.pending_timestamp + 3600
    v, r, s = sign(fan, authorization_message(real_usdc, fan, usdc_jar, USDC, 0, before, nonce))
    with ape.reverts(BLACKLISTED):
        usdc_jar.tipWithAuthorization(
            fan, creator, real_usdc, USDC, "hi", 0, before, salt, v, r, s, sender=relayer
        )
    assert not real_usdc.authorizationState(fan, nonce)  # still usable once unblacklisted


def test_a_batch_skips_the_blacklisted_fan_alone(
    usdc_jar, real_usdc, approved_usdc_fans, creator, relayer, circle, chain
):
    clean, banned = approved_usdc_fans[0], approved_usdc_fans[1]
    real_usdc.blacklist(banned, sender=circle)
    deadline = chain.pending_timestamp + 3600
    items = [
        sign_tip(banned, usdc_jar, creator, real_usdc, 3 * USDC, "banned", 0, deadline),
        sign_tip(clean, usdc_jar, creator, real_usdc, 4 * USDC, "clean", 0, deadline),
    ]
    tx = usdc_jar.tipBatch(real_usdc, *batch_args(items), sender=relayer)
    assert tx.return_value == 1
    assert usdc_jar.BatchTipSkipped(index=0, fan=banned, nonce=0, reason=TRANSFER_FAILED) in tx.events
    assert not usdc_jar.isNonceUsed(banned, 0)  # the skipped tip can land later
    assert usdc_jar.isNonceUsed(clean, 0)
    assert usdc_jar.balanceOf(creator, real_usdc) == 4 * USDC - fee_of(4 * USDC)
    assert real_usdc.balanceOf(banned) == 1_000 * USDC
    assert real_usdc.balanceOf(usdc_jar) == 4 * USDC


@pytest.mark.parametrize("who", ["creator", "treasury"])
def test_a_blacklisted_recipient_keeps_its_credit_and_uses_set_payout(
    who, usdc_jar, real_usdc, approved_usdc_fans, creator, treasury, stranger, circle, accounts
):
    account = {"creator": creator, "treasury": treasury}[who]
    fan, amount = approved_usdc_fans[0], 40 * USDC
    real_usdc.blacklist(account, sender=circle)
    usdc_jar.tip(creator, real_usdc, amount, "still credited", sender=fan)  # tips still land
    owed = amount - fee_of(amount) if who == "creator" else fee_of(amount)
    assert usdc_jar.balanceOf(account, real_usdc) == owed
    with ape.reverts(BLACKLISTED):
        usdc_jar.withdraw(real_usdc, sender=account)
    with ape.reverts(BLACKLISTED):
        usdc_jar.withdrawFor(account, real_usdc, sender=stranger)
    assert usdc_jar.balanceOf(account, real_usdc) == owed  # nothing lost
    fresh = accounts.containers["test"].generate_account(index=1_102)
    tx = usdc_jar.setPayout(fresh, sender=account)  # a jar call: no USDC moves, so it is allowed
    assert tx.events == [usdc_jar.PayoutSet(account=account, payout=fresh)]
    tx = usdc_jar.withdrawFor(account, real_usdc, sender=stranger)
    assert tx.events == [
        usdc_jar.Withdrawn(account=account, token=real_usdc, to=fresh, amount=owed),
        real_usdc.Transfer(**{"from": usdc_jar, "to": fresh, "value": owed}),
    ]
    assert real_usdc.balanceOf(fresh) == owed
    assert real_usdc.balanceOf(account) == 0


def test_a_blacklisted_jar_stops_and_keeps_everything(
    usdc_jar, real_usdc, approved_usdc_fans, creator, circle
):
    fan = approved_usdc_fans[0]
    usdc_jar.tip(creator, real_usdc, 10 * USDC, "before", sender=fan)
    real_usdc.blacklist(usdc_jar, sender=circle)
    with ape.reverts(BLACKLISTED):
        usdc_jar.tip(creator, real_usdc, USDC, "after", sender=fan)
    with ape.reverts(BLACKLISTED):
        usdc_jar.withdraw(real_usdc, sender=creator)
    assert usdc_jar.balanceOf(creator, real_usdc) == 10 * USDC - fee_of(10 * USDC)
    real_usdc.unBlacklist(usdc_jar, sender=circle)
    usdc_jar.withdraw(real_usdc, sender=creator)
    assert real_usdc.balanceOf(creator) == 10 * USDC - fee_of(10 * USDC)


def test_a_paused_token_stops_every_movement_and_loses_nothing(
    usdc_jar, real_usdc, approved_usdc_fans, creator, relayer, circle, chain
):
    fan = approved_usdc_fans[0]
    usdc_jar.tip(creator, real_usdc, 10 * USDC, "before", sender=fan)
    net = 10 * USDC - fee_of(10 * USDC)
    tx = real_usdc.pause(sender=circle)
    assert tx.events == [real_usdc.Pause()]
    with ape.reverts(PAUSED):
        usdc_jar.tip(creator, real_usdc, USDC, "paused", sender=fan)
    with ape.reverts(PAUSED):
        usdc_jar.withdraw(real_usdc, sender=creator)
    deadline = chain.pending_timestamp + 3600
    item = sign_tip(fan, usdc_jar, creator, real_usdc, USDC, "paused", 1, deadline)
    tx = usdc_jar.tipBatch(real_usdc, *batch_args([item]), sender=relayer)
    assert tx.return_value == 0
    assert usdc_jar.BatchTipSkipped(index=0, fan=fan, nonce=1, reason=TRANSFER_FAILED) in tx.events
    assert not usdc_jar.isNonceUsed(fan, 1)
    assert usdc_jar.balanceOf(creator, real_usdc) == net
    real_usdc.unpause(sender=circle)
    tx = usdc_jar.tipBatch(real_usdc, *batch_args([item]), sender=relayer)  # the same signed tip lands
    assert tx.return_value == 1
    usdc_jar.withdraw(real_usdc, sender=creator)
    assert real_usdc.balanceOf(creator) == net + USDC - fee_of(USDC)
