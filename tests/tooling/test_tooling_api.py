"""The Python API on the test chain: deploy idempotence, operations with exact figures, every bad
input's one-line message, and the ledger rebuilt from events equal to the on-chain balances."""

import pytest

from fairgift import ledger
from fairgift.api import FairGift
from fairgift.curve import Curve
from fairgift.deploy import deploy
from fairgift.errors import FairGiftError
from fairgift.gifts import DEFAULT_GIFTS
from fairgift.sandwich import exposure, safe_limit
from tests.constants import USDC


def test_deploy_reuses_unless_fresh(owner, treasury, fg, fg_store, chain):
    again = deploy(owner, treasury=treasury.address, store=fg_store)
    assert again.reused
    assert again.record == fg.record
    fresh = deploy(owner, treasury=treasury.address, store=fg_store, fresh=True)
    assert not fresh.reused
    assert fresh.created == ["MockUSDC", "TipJar", "CreatorMarket", "SplitFactory"]
    assert set(fresh.record.contracts.values()).isdisjoint(fg.record.contracts.values())
    assert fresh.record.genesis == chain.blocks[0].hash.to_0x_hex()
    assert fresh.record.key != fg.record.key
    assert FairGift.connect(fg_store).record == fresh.record


def test_deployment_seeded(fg, owner, treasury):
    assert fg.jar.owner() == owner
    assert fg.jar.treasury() == treasury
    assert fg.jar.feeBps() == 500
    assert fg.jar.isTokenAllowed(fg.usdc)
    assert fg.gifts() == {g.gift_id: g for g in DEFAULT_GIFTS}
    assert [(g.name, g.price_usd6) for g in DEFAULT_GIFTS] == [
        ("Rose", 10_000),
        ("Heart", 1_000_000),
        ("Lion", 300_000_000),
        ("Universe", 450_000_000),
    ]
    assert fg.market.protocolFeeBps() == 100
    assert fg.curve() == Curve(base_price=10_000, slope=1_000)
    assert fg.market.quoteToken() == fg.usdc.address


def test_tip_gift_and_fee_schedule(fg, fg_fans, creator, owner, chain):
    fan = fg_fans[0]
    r = fg.tip(fan, creator, "2.50 USDC", "hi")
    assert r.values["amount"] == 2_500_000 and r.values["fee"] == 125_000 and r.values["net"] == 2_375_000
    assert (
        fg.jar.Tipped(
            fan=fan, creator=creator, token=fg.usdc, amount=2_500_000, fee=125_000, giftId=0, message="hi"
        )
        in r.receipts[-1].events
    )  # noqa: E501
    assert r.notes == [f"approved {fg.jar.address} to spend 2.50 USDC"]
    r = fg.gift(fan, creator, "lion", 2)
    assert (r.values["amount"], r.values["gift_id"]) == (600_000_000, 3)
    assert fg.jar.balanceOf(creator, fg.usdc) == 2_375_000 + 600_000_000 - 600_000_000 * 500 // 10_000
    r = fg.schedule_fee(owner, "6%")
    assert r.values["effective_at"] == fg.jar.pendingFee()[1]
    assert fg.jar.feeBps() == 500
    r = fg.schedule_fee(owner, "2.5%")
    assert fg.jar.feeBps() == 250 and "in force now" in r.summary


def test_permit_and_relayed_tips(fg, fg_fans, creator, stranger):
    r = fg.permit_tip(fg_fans[1], creator, "3")
    assert r.values["amount"] == 3 * USDC
    assert fg.usdc.allowance(fg_fans[1], fg.jar) == 0
    auth = fg.sign_tip_authorization(fg_fans[2], creator, "4", "relayed")
    before = fg.usdc.balanceOf(fg_fans[2])
    r = fg.relay_tip(stranger, auth)
    assert fg.usdc.balanceOf(fg_fans[2]) == before - 4 * USDC
    assert r.receipts[-1].sender == stranger


def test_market_launch_buy_sell(fg, fg_fans, creator, owner):
    from ape import project

    fg.mint(owner, creator, "100")
    r = fg.launch(creator, "Creator", "CRT", "5%", "10")
    token = r.values["token"]
    assert fg.market.tokenOf(creator) == token
    assert project.CreatorToken.at(token, detect_proxy=False).balanceOf(creator) == 10 * 10**18
    quote = fg.market.quoteBuy(token, 20 * 10**18)[0]
    safe = safe_limit(fg.fan_trade(token, 20 * 10**18, is_buy=True))
    r = fg.buy(fg_fans[0], "CRT", "20")
    assert r.values["cost"] == quote
    assert r.values["limit"] == safe.limit  # the sandwich-safe default
    assert f"sandwich-safe limit {fg.usd(safe.limit)}" in r.summary
    # An explicit tolerance is sent as asked, and the summary says what it exposes.
    quote = fg.market.quoteBuy(token, 20 * 10**18)[0]
    trade = fg.fan_trade(token, 20 * 10**18, is_buy=True)
    r = fg.buy(fg_fans[0], "CRT", "20", slippage="1%")
    assert r.values["limit"] == -(-quote * 101 // 100)
    exposed = exposure(trade, r.values["limit"]).best
    assert exposed is not None and f"takes {fg.usd(exposed.profit)}" in r.summary
    net = fg.market.quoteSell(token, 5 * 10**18)[0]
    safe = safe_limit(fg.fan_trade(token, 5 * 10**18, is_buy=False))
    r = fg.sell(fg_fans[0], creator, "5")
    assert r.values["proceeds"] == net
    assert r.values["floor"] == safe.limit
    r = fg.sell(fg_fans[0], creator, "5", slippage="1%")
    assert r.values["floor"] == r.values["quote"] * 99 // 100


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda fg, f, c, o: fg.tip(f, c, "abc"), "amount 'abc' is not a number"),
        (lambda fg, f, c, o: fg.tip(f, c, "1.0000001"), "has more decimals than USDC has (6)"),
        (lambda fg, f, c, o: fg.tip(f, c, "5 DAI"), "is in DAI, expected USDC"),
        (lambda fg, f, c, o: fg.tip(f, c, "0"), "amount '0' is zero"),
        (lambda fg, f, c, o: fg.tip(f, "0x" + "00" * 20, "1"), "the creator cannot be the zero address"),
        (lambda fg, f, c, o: fg.tip(f, fg.jar.address, "1"), "the creator cannot be a FairGift contract"),
        (lambda fg, f, c, o: fg.tip(o, c, "1"), "not enough USDC for this tip"),
        (lambda fg, f, c, o: fg.tip(f, c, "1", approve=False), "not enough allowance"),
        (lambda fg, f, c, o: fg.gift(f, c, "Unicorn"), "unknown gift 'Unicorn'"),
        (lambda fg, f, c, o: fg.gift(f, c, 99), "unknown gift 99"),
        (lambda fg, f, c, o: fg.gift(f, c, "²"), "unknown gift '²'"),
        (lambda fg, f, c, o: fg.gift(f, c, "Rose", 0), "quantity must be at least 1, not 0"),
        (lambda fg, f, c, o: fg.schedule_fee(o, "11%"), "can change the tip jar fee"),
        (lambda fg, f, c, o: fg.schedule_fee(fg.jar.owner(), "11%"), "above the cap of 10% (1000 bps)"),
        (
            lambda fg, f, c, o: fg.schedule_fee(fg.jar.owner(), "6%", "protocol"),
            "above the cap of 5% (500 bps)",
        ),
        (lambda fg, f, c, o: fg.schedule_fee(c, "1%", "creator"), "has not launched a creator token"),
        (lambda fg, f, c, o: fg.launch(c, "X", "X", "11%"), "creator fee of 11% (1100 bps) is above the cap"),
        (lambda fg, f, c, o: fg.buy(f, "NOPE", "1"), "no creator token with symbol 'NOPE'"),
        (lambda fg, f, c, o: fg.buy(f, c, "1"), "has not launched a creator token"),
        (lambda fg, f, c, o: fg.withdraw(o), "nothing to withdraw for"),
        (lambda fg, f, c, o: fg.split(c, {f: "50%", o: "40%"}), "add up to 9000 bps, not 10000"),
        (lambda fg, f, c, o: fg.split(c, {f: "100%", f.address: "0"}), "appears twice in the split"),
        (lambda fg, f, c, o: fg.tip(f, "TEST::999", "1"), "no test account 'TEST::999'"),
    ],
)
def test_bad_inputs(fg, fg_fans, creator, stranger, call, message):
    with pytest.raises(FairGiftError) as err:
        call(fg, fg_fans[0], creator, stranger)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_market_bad_inputs(fg, fg_fans, creator, owner):
    fg.mint(owner, creator, "100")
    fg.launch(creator, "Creator", "CRT", "5%", "1")
    with pytest.raises(FairGiftError, match="already launched a token"):
        fg.launch(creator, "Again", "CRT2")
    with pytest.raises(
        FairGiftError, match=r"slippage exceeded: buying 3.00 CRT costs 0.\d+ USDC, above your limit"
    ):
        fg.buy(fg_fans[0], "CRT", "3", max_cost="0.01")
    with pytest.raises(FairGiftError, match="not enough CRT to sell"):
        fg.sell(fg_fans[0], "CRT", "1")
    with pytest.raises(FairGiftError, match="slippage"):
        fg.buy(fg_fans[0], "CRT", "1", slippage="150%")


def test_revert_decoded(fg, fg_fans, creator, owner):
    """A revert the API did not foresee comes back as one decoded line."""
    from fairgift.errors import translated

    with pytest.raises(FairGiftError) as err, translated("tip"):
        fg.jar.tip(creator, fg.usdc, 0, "", sender=fg_fans[0])
    assert str(err.value) == "tip: rejected by the contract: the amount is zero"
    assert fg.jar.owner() == owner
    with pytest.raises(FairGiftError) as err, translated("fee"):
        fg.jar.scheduleFee(1001, sender=owner)
    assert (
        str(err.value) == "fee: rejected by the contract: a fee of 1001 bps is above the cap of 1000 bps "
        "written in the contract"
    )


def test_ledger_equals_chain(fg, fg_fans, creator, creator2, stranger, owner, treasury, chain):
    second = creator2
    fg.mint(owner, creator, "50")
    fg.tip(fg_fans[0], creator, "10")
    fg.tip(fg_fans[1], second, "7.77")
    fg.gift(fg_fans[2], creator, "Heart", 7)
    fg.schedule_fee(owner, "1%")
    fg.tip(fg_fans[1], creator, "3.33")
    fg.launch(creator, "Creator", "CRT", "7%", "5")
    fg.buy(fg_fans[0], "CRT", "12")
    fg.sell(fg_fans[0], "CRT", "4")
    fg.withdraw(creator)
    fg.tip(fg_fans[2], creator, "1")  # a credit left after the withdrawal
    last_tip_to_treasury = chain.blocks.head.number
    fg.jar.setTreasury(stranger, sender=owner)  # later fees go elsewhere
    fg.tip(fg_fans[0], second, "2")
    fg.withdraw(fg_fans[0], account=treasury)
    book = ledger.from_chain(fg)
    for account in (creator, second, treasury, stranger):
        assert book.jar_credit(account.address, fg.usdc.address) == fg.jar.balanceOf(account, fg.usdc)
        assert book.market_credit(account.address) == fg.market.balanceOf(account)
    row = book.creators[(creator.address, fg.usdc.address)]
    assert row.gross == 10 * USDC + 7 * USDC + 3_330_000 + USDC
    assert row.fees == 500_000 + 350_000 + 33_300 + 10_000
    assert row.gifts[2].quantity == 7
    assert (row.buys, row.sells, row.symbol) == (2, 1, "CRT")
    assert sum(g for (t, _), g in book.treasury_fees.items() if t == stranger.address) == 20_000
    total_in_jar = sum(
        book.jar_credit(a.address, fg.usdc.address) for a in (creator, second, treasury, stranger)
    )
    assert fg.usdc.balanceOf(fg.jar) == total_in_jar
    # From the deployment, the first TreasurySet of each contract is its constructor's: nothing is
    # read at a block before it (anvil may no longer hold that state after many snapshot reverts).
    assert ledger.initial_treasuries(fg, ledger.collect(fg)) == (None, None)
    # From a later block, the treasury before the first change in range is read at the block before it.
    late = ledger.from_chain(fg, start_block=last_tip_to_treasury)
    assert ledger.initial_treasuries(fg, ledger.collect(fg, last_tip_to_treasury))[0] == treasury.address
    assert late.treasury_fees[(treasury.address, fg.usdc.address)] == 10_000  # 1% of the last 1 USDC tip
    assert late.treasury_fees[(stranger.address, fg.usdc.address)] == 20_000


def test_stablecoin_through_its_interface(fg):
    """The tooling sees the stablecoin through IStablecoin's ABI, never through the mock's."""
    assert fg.usdc.contract_type.name == "IStablecoin"
    names = {abi.name for abi in fg.usdc.contract_type.abi if hasattr(abi, "name")}
    assert {"permit", "receiveWithAuthorization", "eip712Domain", "decimals"} <= names
    assert not {"mint", "blacklist", "owner"} & names  # the mock's extras are not part of it
