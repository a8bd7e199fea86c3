"""Every money path of the tip jar against Circle's real USDC: tip, gift, tipWithPermit (permit
domain version "2", built from `name()` and `version()`), tipWithAuthorization (EIP-3009), tipBatch
with a permit submitted first, and withdrawals; balances to the unit, events in order."""

import ape
from usdc_helpers import JAR_FEE_BPS, permit

from fairgift.batch import batch_args, sign_tip
from fairgift.chain import token_domain
from fairgift.gifts import DEFAULT_GIFTS
from fairgift.signing import authorization_message, permit_message, sign
from tests.constants import MAX_UINT, USDC, ZERO_ADDRESS

MESSAGE = "gm from a real USDC holder"


def fee_of(amount):
    return amount * JAR_FEE_BPS // 10_000


def transfer(token, from_, to, value):
    return token.Transfer(**{"from": from_, "to": to, "value": value})


def tipped(jar, fan, creator, token, amount, gift_id=0, message=MESSAGE):
    return jar.Tipped(
        fan=fan,
        creator=creator,
        token=token,
        amount=amount,
        fee=fee_of(amount),
        giftId=gift_id,
        message=message,
    )


def test_tip(usdc_jar, real_usdc, usdc_fans, creator, treasury):
    fan = usdc_fans[0]
    real_usdc.approve(usdc_jar, MAX_UINT, sender=fan)
    amount = 12_345_678  # 12.345678 USDC
    tx = usdc_jar.tip(creator, real_usdc, amount, MESSAGE, sender=fan)
    assert tx.events == [
        tipped(usdc_jar, fan, creator, real_usdc, amount),
        transfer(real_usdc, fan, usdc_jar, amount),
    ]
    assert real_usdc.balanceOf(fan) == 1_000 * USDC - amount
    assert real_usdc.balanceOf(usdc_jar) == amount
    assert usdc_jar.balanceOf(creator, real_usdc) == amount - fee_of(amount) == 11_728_395
    assert usdc_jar.balanceOf(treasury, real_usdc) == fee_of(amount) == 617_283
    # unlike OpenZeppelin's ERC-20, USDC spends even an unlimited allowance
    assert real_usdc.allowance(fan, usdc_jar) == MAX_UINT - amount


def test_gift(usdc_jar, real_usdc, usdc_fans, creator, treasury):
    fan, gift = usdc_fans[0], DEFAULT_GIFTS[2]  # a Lion, $300
    amount = usdc_jar.giftAmount(real_usdc, gift.gift_id, 3)
    assert amount == 3 * gift.price_usd6  # USDC has 6 decimals: the catalogue's own unit
    real_usdc.approve(usdc_jar, amount, sender=fan)
    tx = usdc_jar.sendGift(creator, real_usdc, gift.gift_id, 3, amount, MESSAGE, sender=fan)
    assert tx.events == [
        tipped(usdc_jar, fan, creator, real_usdc, amount, gift.gift_id),
        transfer(real_usdc, fan, usdc_jar, amount),
    ]
    assert real_usdc.allowance(fan, usdc_jar) == 0
    assert usdc_jar.balanceOf(creator, real_usdc) == amount - fee_of(amount)
    assert usdc_jar.balanceOf(treasury, real_usdc) == fee_of(amount)


def test_tip_with_permit(usdc_jar, real_usdc, usdc_fans, creator, chain):
    fan, amount = usdc_fans[1], 7 * USDC
    deadline = chain.pending_timestamp + 3600
    # what the API, the CLI and the demo sign: the domain from fairgift.chain.token_domain
    v, r, s = sign(fan, permit_message(real_usdc, fan, usdc_jar, amount, deadline))
    tx = usdc_jar.tipWithPermit(creator, real_usdc, amount, MESSAGE, deadline, v, r, s, sender=fan)
    assert tx.events == [
        tipped(usdc_jar, fan, creator, real_usdc, amount),
        real_usdc.Approval(owner=fan, spender=usdc_jar, value=amount),
        transfer(real_usdc, fan, usdc_jar, amount),
    ]
    assert real_usdc.nonces(fan) == 1
    assert real_usdc.allowance(fan, usdc_jar) == 0
    assert real_usdc.balanceOf(fan) == 993 * USDC
    assert usdc_jar.balanceOf(creator, real_usdc) == amount - fee_of(amount)


def test_a_permit_submitted_first_by_someone_else_still_tips(
    usdc_jar, real_usdc, usdc_fans, creator, attacker, chain
):
    fan, amount = usdc_fans[1], 2 * USDC
    deadline = chain.pending_timestamp + 3600
    v, r, s = sign(fan, permit_message(real_usdc, fan, usdc_jar, amount, deadline))
    real_usdc.permit(fan, usdc_jar, amount, deadline, v, r, s, sender=attacker)  # front-run
    usdc_jar.tipWithPermit(creator, real_usdc, amount, MESSAGE, deadline, v, r, s, sender=fan)
    assert usdc_jar.balanceOf(creator, real_usdc) == amount - fee_of(amount)


def test_a_permit_signed_with_the_explorers_name_is_refused(usdc_jar, real_usdc, usdc_fans, creator, chain):
    fan, amount = usdc_fans[1], USDC
    deadline = chain.pending_timestamp + 3600
    wrong = {**token_domain(real_usdc), "name": "USDC"}  # the name an explorer may show
    v, r, s = sign(fan, permit(wrong, fan, usdc_jar, amount, real_usdc.nonces(fan), deadline))
    with ape.reverts(usdc_jar.PermitFailed, token=real_usdc, allowance=0, amount=amount):
        usdc_jar.tipWithPermit(creator, real_usdc, amount, MESSAGE, deadline, v, r, s, sender=fan)


def authorize(jar, token, fan, creator, amount, chain, salt=b"\x01" * 32, message=MESSAGE):
    nonce = jar.tipAuthorizationNonce(creator, message, salt)
    valid_before = chain.pending_timestamp + 3600
    v, r, s = sign(fan, authorization_message(token, fan, jar, amount, 0, valid_before, nonce))
    return (fan, creator, token, amount, message, 0, valid_before, salt, v, r, s), nonce


def test_tip_with_authorization_relayed(usdc_jar, real_usdc, usdc_fans, creator, relayer, chain):
    fan, amount = usdc_fans[2], 25 * USDC
    args, nonce = authorize(usdc_jar, real_usdc, fan, creator, amount, chain)
    tx = usdc_jar.tipWithAuthorization(*args, sender=relayer)
    assert tx.events == [
        tipped(usdc_jar, fan, creator, real_usdc, amount),
        real_usdc.AuthorizationUsed(authorizer=fan, nonce=nonce),
        transfer(real_usdc, fan, usdc_jar, amount),
    ]
    assert real_usdc.authorizationState(fan, nonce)
    assert real_usdc.balanceOf(fan) == 975 * USDC
    assert usdc_jar.balanceOf(creator, real_usdc) == amount - fee_of(amount)
    with ape.reverts("FiatTokenV2: authorization is used or canceled"):
        usdc_jar.tipWithAuthorization(*args, sender=relayer)  # a replay


def test_an_authorization_cannot_be_redirected_to_another_creator(
    usdc_jar, real_usdc, usdc_fans, creator, creator2, attacker, chain
):
    fan = usdc_fans[2]
    args, _ = authorize(usdc_jar, real_usdc, fan, creator, USDC, chain)
    redirected = (args[0], creator2, *args[2:])  # the nonce binds the creator
    with ape.reverts("FiatTokenV2: invalid signature"):
        usdc_jar.tipWithAuthorization(*redirected, sender=attacker)


def test_tip_batch_with_a_permit_first(
    usdc_jar, real_usdc, usdc_fans, creator, creator2, relayer, treasury, chain
):
    fan, fan2 = usdc_fans[0], usdc_fans[1]
    deadline = chain.pending_timestamp + 3600
    # fan2 has no allowance: the relayer lands the fan's permit, then the batch
    v, r, s = sign(fan2, permit_message(real_usdc, fan2, usdc_jar, 30 * USDC, deadline))
    real_usdc.permit(fan2, usdc_jar, 30 * USDC, deadline, v, r, s, sender=relayer)
    real_usdc.approve(usdc_jar, 5 * USDC, sender=fan)
    items = [
        sign_tip(fan2, usdc_jar, creator, real_usdc, 10 * USDC, "one", 0, deadline),
        sign_tip(fan2, usdc_jar, creator, real_usdc, 20 * USDC, "two", 1, deadline),
        sign_tip(fan, usdc_jar, creator2, real_usdc, 5 * USDC, "three", 0, deadline),
    ]
    tx = usdc_jar.tipBatch(real_usdc, *batch_args(items), sender=relayer)
    assert tx.return_value == 3
    tips = [e for e in tx.events if e.event_name == "Tipped"]
    assert [(e.fan, e.creator, e.amount, e.fee, e.message) for e in tips] == [
        (fan2.address, creator.address, 10 * USDC, fee_of(10 * USDC), "one"),
        (fan2.address, creator.address, 20 * USDC, fee_of(20 * USDC), "two"),
        (fan.address, creator2.address, 5 * USDC, fee_of(5 * USDC), "three"),
    ]
    pulls = [e for e in tx.events if e.event_name == "Transfer"]
    assert [(e["from"], e.to, e.value) for e in pulls] == [
        (fan2.address, usdc_jar.address, 10 * USDC),
        (fan2.address, usdc_jar.address, 20 * USDC),
        (fan.address, usdc_jar.address, 5 * USDC),
    ]
    assert real_usdc.balanceOf(fan2) == 970 * USDC and real_usdc.balanceOf(fan) == 995 * USDC
    assert real_usdc.allowance(fan2, usdc_jar) == 0
    assert usdc_jar.balanceOf(creator, real_usdc) == 30 * USDC - fee_of(30 * USDC)
    assert usdc_jar.balanceOf(creator2, real_usdc) == 5 * USDC - fee_of(5 * USDC)
    assert usdc_jar.balanceOf(treasury, real_usdc) == fee_of(10 * USDC) + fee_of(20 * USDC) + fee_of(5 * USDC)
    assert real_usdc.balanceOf(usdc_jar) == 35 * USDC


def test_withdrawals_pay_the_creator_and_the_treasury(usdc_jar, real_usdc, usdc_fans, creator, treasury):
    fan, amount = usdc_fans[0], 100 * USDC
    real_usdc.approve(usdc_jar, amount, sender=fan)
    usdc_jar.tip(creator, real_usdc, amount, MESSAGE, sender=fan)
    net, fee = amount - fee_of(amount), fee_of(amount)
    tx = usdc_jar.withdraw(real_usdc, sender=creator)
    assert tx.events == [
        usdc_jar.Withdrawn(account=creator, token=real_usdc, to=creator, amount=net),
        transfer(real_usdc, usdc_jar, creator, net),
    ]
    tx = usdc_jar.withdraw(real_usdc, sender=treasury)
    assert tx.events == [
        usdc_jar.Withdrawn(account=treasury, token=real_usdc, to=treasury, amount=fee),
        transfer(real_usdc, usdc_jar, treasury, fee),
    ]
    assert real_usdc.balanceOf(creator) == net == 95 * USDC
    assert real_usdc.balanceOf(treasury) == fee == 5 * USDC
    assert real_usdc.balanceOf(usdc_jar) == 0
    with ape.reverts(usdc_jar.NothingToWithdraw, account=creator, token=real_usdc):
        usdc_jar.withdraw(real_usdc, sender=creator)


def test_deploy_allows_real_usdc_and_prices_the_market_in_it(project, owner, treasury, real_usdc, tmp_path):
    from fairgift.deploy import deploy
    from fairgift.deployments import DeploymentStore

    done = deploy(owner, stablecoin=real_usdc.address, treasury=treasury, store=DeploymentStore(tmp_path))
    jar = project.TipJar.at(done.record.contracts["TipJar"])
    market = project.CreatorMarket.at(done.record.contracts["CreatorMarket"])
    assert "MockUSDC" not in done.record.contracts
    assert jar.isTokenAllowed(real_usdc) and jar.tokenDecimals(real_usdc) == 6
    assert market.quoteToken() == real_usdc.address != ZERO_ADDRESS
