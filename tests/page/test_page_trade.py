"""Buying and selling the creator's token from the page at the default tolerance."""

import pytest
from page_env import WALLET_METHODS
from playwright.sync_api import expect

from tests.constants import TOKEN

pytestmark = pytest.mark.anvil_only("the fans' browser wallet forwards to the chain's JSON-RPC URL")


def _quote(page, side: str, amount: str) -> str:
    page.check(f"input[name=trade-side][value={side}]")
    page.fill("#trade-amount", amount)
    verb = "cost" if side == "buy" else "pay"
    expect(page.locator("#trade-quote")).to_contain_text(f"{amount}.00 AVA {verb} ")
    return page.text_content("#trade-quote")


def test_buy_then_sell_at_the_default_tolerance(open_tab, page_fg, page_creator, page_fan):
    market, usdc = page_fg.market, page_fg.usdc
    token = page_fg.creator_token(page_creator)
    ava = page_fg.project.CreatorToken.at(token)
    tab = open_tab(account=page_fan)
    page = tab.open("/c/ava")

    # Buy 5 AVA: the page quotes the market's own quote and the CLI's default bound.
    total, protocol_fee, creator_fee = (int(x) for x in market.quoteBuy(token, 5 * TOKEN))
    limit = page_fg.trade_bound(token, 5 * TOKEN, total, is_buy=True).limit
    shown = _quote(page, "buy", "5")
    assert f"cost {page_fg.usd(total)}" in shown
    assert f"You pay at most {page_fg.usd(limit)} (a safety limit: if other trades move the price" in shown
    assert "sandwich" not in shown and "CLI" not in shown  # plain words for fans
    usdc_before, supply_before = usdc.balanceOf(page_fan), market.supplyOf(token)
    result = tab.submit("#trade-send", "trade-status", "Bought")
    assert usdc.balanceOf(page_fan) == usdc_before - total  # charged the quote, not the bound
    assert ava.balanceOf(page_fan) == 5 * TOKEN
    assert market.supplyOf(token) == supply_before + 5 * TOKEN
    assert "you now hold 5.00 AVA" in result
    # the trade moved the price: the old quote is not left on screen
    expect(page.locator("#trade-quote")).to_have_text("")
    assert page.input_value("#trade-amount") == ""
    # what the bound left approved is said, to the unit (nothing, at the exact quote)
    assert usdc.allowance(page_fan, market) == limit - total
    if limit > total:
        assert f"{page_fg.usd(limit - total)} stays approved to the market" in result
    else:
        assert "stays approved" not in result
    sent = tab.wallet("w.sent")
    method, decoded = market.decode_input(page_fg.chain.provider.web3.eth.get_transaction(sent[-1])["input"])
    assert method.startswith("buy(") and decoded["maxCost"] == limit and decoded["amount"] == 5 * TOKEN

    # Sell 2 AVA back: no approval needed, paid at least the floor, exactly the quote here.
    net, _, _ = (int(x) for x in market.quoteSell(token, 2 * TOKEN))
    floor = page_fg.trade_bound(token, 2 * TOKEN, net, is_buy=False).limit
    shown = _quote(page, "sell", "2")
    assert f"pay {page_fg.usd(net)}" in shown and f"You get at least {page_fg.usd(floor)}" in shown
    usdc_before = usdc.balanceOf(page_fan)
    result = tab.submit("#trade-send", "trade-status", "Sold")
    assert usdc.balanceOf(page_fan) == usdc_before + net
    assert ava.balanceOf(page_fan) == 3 * TOKEN
    assert "you now hold 3.00 AVA" in result
    method, decoded = market.decode_input(
        page_fg.chain.provider.web3.eth.get_transaction(tab.wallet("w.sent")[-1])["input"]
    )
    assert method.startswith("sell(") and decoded["minProceeds"] == floor
    assert set(tab.wallet_log()) <= WALLET_METHODS
    # the token panel shows the new supply
    expect(page.locator("#token-supply")).to_have_text(f"{(supply_before + 3 * TOKEN) / TOKEN:,.2f} AVA")
