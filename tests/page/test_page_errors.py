"""Every error a fan can meet says what to do, and nothing is sent: no wallet, wrong chain (with an
offer to switch), signature or transaction rejected, too little balance, too many decimals, expired quote (the
price moved, or the deadline passed in the wallet), relayer busy."""

import pytest
from page_env import WALLET_METHODS
from playwright.sync_api import expect

from tests.constants import TOKEN

pytestmark = pytest.mark.anvil_only("the fans' browser wallet forwards to the chain's JSON-RPC URL")


def _untouched(page_fg, page_creator, fan, before):
    usdc, jar = page_fg.usdc, page_fg.jar
    assert (usdc.balanceOf(fan), jar.balanceOf(page_creator, usdc)) == before


def _snapshot(page_fg, page_creator, fan):
    return page_fg.usdc.balanceOf(fan), page_fg.jar.balanceOf(page_creator, page_fg.usdc)


def test_no_wallet(open_tab, page_fg, page_creator, page_fan):
    before = _snapshot(page_fg, page_creator, page_fan)
    tab = open_tab(wallet=False)
    page = tab.open("/c/ava")
    page.fill("#tip-amount", "3")
    expect(page.locator("#tip-breakdown")).to_contain_text("The creator receives 2.85 USDC")  # still informs
    page.click("#tip-send")
    assert tab.notice().startswith("No wallet found in this browser. Install a wallet such as MetaMask")
    assert tab.api_calls("/api/prepare") == []
    _untouched(page_fg, page_creator, page_fan, before)


def test_wrong_chain_offers_to_switch(open_tab, page_fg, page_creator, page_fan):
    before = _snapshot(page_fg, page_creator, page_fan)
    tab = open_tab(account=page_fan, chain_override="0x1")
    page = tab.open("/c/ava")
    page.fill("#tip-amount", "3")
    page.check("input[name=tip-mode][value=direct]")
    expect(page.locator("#tip-breakdown")).to_contain_text("The creator receives")  # what is sent
    page.click("#tip-send")
    chain_id = page_fg.chain.chain_id
    assert tab.notice() == (
        f"Your wallet is on chain 1, but this page works on chain {chain_id}. Switch your wallet's "
        "network, then try again. Nothing was sent."
    )
    assert "eth_sendTransaction" not in tab.wallet_log()
    _untouched(page_fg, page_creator, page_fan, before)
    # The offered switch asks the wallet for the page's chain; then the tip goes through.
    page.click(f"#notice-action:has-text('Switch to chain {chain_id}')")
    switch = [e for e in page.evaluate("window.__wallet.log") if e["method"] == "wallet_switchEthereumChain"]
    assert switch == [{"method": "wallet_switchEthereumChain", "params": [{"chainId": hex(chain_id)}]}]
    assert tab.notice().startswith(f"Your wallet is now on chain {chain_id}")
    tab.submit("#tip-send", "tip-status", "Landed")
    assert page_fg.usdc.balanceOf(page_fan) == before[0] - 3_000_000
    assert set(tab.wallet_log()) <= WALLET_METHODS


def test_signature_rejected(open_tab, page_fg, page_creator, page_fan, page_service):
    before = _snapshot(page_fg, page_creator, page_fan)
    tab = open_tab(account=page_fan)
    page = tab.open("/c/ava")
    tab.wallet("(w.rejectSign = true)")
    page.fill("#tip-amount", "3")
    expect(page.locator("#tip-breakdown")).to_contain_text("The creator receives")  # what is sent
    page.click("#tip-send")  # gasless: a permit and a tip to sign
    assert tab.notice() == "You declined the signature in your wallet. Nothing was sent."
    assert tab.api_calls("/api/tips") == []  # nothing reached the relayer
    assert page_service.relayer.stats().get("queued", 0) == 0
    _untouched(page_fg, page_creator, page_fan, before)


def test_transaction_rejected(open_tab, page_fg, page_creator, page_fan):
    before = _snapshot(page_fg, page_creator, page_fan)
    tab = open_tab(account=page_fan)
    page = tab.open("/c/ava")
    tab.wallet("(w.rejectSend = true)")
    page.fill("#tip-amount", "3")
    page.check("input[name=tip-mode][value=direct]")
    expect(page.locator("#tip-breakdown")).to_contain_text("The creator receives")  # what is sent
    page.click("#tip-send")
    assert tab.notice() == "You declined the transaction in your wallet. Nothing was sent."
    assert tab.wallet("w.sent") == []
    assert page_fg.usdc.allowance(page_fan, page_fg.jar) == 0  # not even the approval went out
    _untouched(page_fg, page_creator, page_fan, before)


def test_too_little_balance(open_tab, page_fg, page_creator, stranger):
    """`stranger` holds no USDC."""
    assert page_fg.usdc.balanceOf(stranger) == 0
    credit = page_fg.jar.balanceOf(page_creator, page_fg.usdc)
    tab = open_tab(account=stranger)
    page = tab.open("/c/ava")
    page.fill("#tip-amount", "5")
    expect(page.locator("#tip-breakdown")).to_contain_text("The creator receives")  # what is sent
    page.click("#tip-send")
    assert tab.notice() == "Not enough USDC: you have 0.00 USDC, this tip needs 5.00 USDC."
    assert not {"eth_signTypedData_v4", "eth_sendTransaction"} & set(tab.wallet_log())
    assert page_fg.jar.balanceOf(page_creator, page_fg.usdc) == credit


def test_too_many_decimals(open_tab, page_fg, page_creator, page_fan):
    before = _snapshot(page_fg, page_creator, page_fan)
    tab = open_tab(account=page_fan)
    page = tab.open("/c/ava")
    page.fill("#tip-amount", "1.1234567")
    error = "Amount '1.1234567' has more decimals than USDC has (6)."
    expect(page.locator("#tip-error")).to_have_text(error)
    expect(page.locator("#tip-breakdown")).to_have_text("")
    page.click("#tip-send")
    assert tab.notice() == error
    assert tab.wallet_log() == []  # the wallet was not even asked
    _untouched(page_fg, page_creator, page_fan, before)


def test_expired_quote_price_moved(open_tab, page_fg, page_creator, page_fan, page_fan2):
    """Another buyer moves the price after the page quoted: the page refuses the old quote, shows
    the new one, and sends nothing."""
    token = page_fg.creator_token(page_creator)
    tab = open_tab(account=page_fan)
    page = tab.open("/c/ava")
    page.fill("#trade-amount", "5")
    expect(page.locator("#trade-quote")).to_contain_text("5.00 AVA cost")
    old = page.text_content("#trade-quote")
    page_fg.buy(page_fan2, page_creator, "50")
    new_total = page_fg.usd(int(page_fg.market.quoteBuy(token, 5 * TOKEN)[0]))
    before = page_fg.usdc.balanceOf(page_fan)
    page.click("#trade-send")
    assert tab.notice() == (
        f"The quote expired: 5.00 AVA now costs {new_total}; check the new quote and press Buy again."
    )
    expect(page.locator("#trade-quote")).to_contain_text(f"5.00 AVA cost {new_total}")
    assert page.text_content("#trade-quote") != old
    assert "eth_sendTransaction" not in tab.wallet_log()
    assert page_fg.usdc.balanceOf(page_fan) == before


def test_expired_quote_deadline_passed_in_the_wallet(
    open_tab, page_fg, page_creator, page_fan, page_usdc, owner
):
    """The fan leaves the wallet's prompt open past the trade's deadline: the wallet cannot send
    (the market would revert DeadlinePassed), and the page says the quote expired."""
    market = page_fg.market
    page_fg.usdc.approve(market, 10**12, sender=page_fan)  # so the page prepares the buy alone
    token = page_fg.project.CreatorToken.at(page_fg.creator_token(page_creator))
    before = (page_fg.usdc.balanceOf(page_fan), token.balanceOf(page_fan))
    tab = open_tab(account=page_fan)
    page = tab.open("/c/ava")
    page.fill("#trade-amount", "5")
    expect(page.locator("#trade-quote")).to_contain_text("5.00 AVA cost")
    page.evaluate(
        """() => {
            const w = window.__wallet;
            w.beforeSend = async () => {  // eleven minutes in the wallet's prompt
                await w.rpcCall("evm_increaseTime", [660]);
                await w.rpcCall("evm_mine", []);
            };
        }"""
    )
    page.click("#trade-send")
    text = tab.notice()
    assert text.startswith("The quote expired (the trade's deadline ")
    assert text.endswith("has passed): nothing was charged; check the new quote and try again.")
    # anvil, unlike a wallet that estimates first, mines the doomed transaction: it reverted.
    web3 = page_fg.chain.provider.web3
    assert [web3.eth.get_transaction_receipt(h)["status"] for h in tab.wallet("w.sent")] in ([], [0])
    assert (page_fg.usdc.balanceOf(page_fan), token.balanceOf(page_fan)) == before


def test_relayer_busy(open_tab, page_fg, page_creator, page_fan, page_service):
    before = _snapshot(page_fg, page_creator, page_fan)
    config = page_service.relayer.config
    saved, config.max_queue = config.max_queue, 0
    try:
        tab = open_tab(account=page_fan)
        page = tab.open("/c/ava")
        page.fill("#tip-amount", "3")
        expect(page.locator("#tip-breakdown")).to_contain_text("The creator receives")  # what is sent
        page.click("#tip-send")
        text = tab.notice()
    finally:
        config.max_queue = saved
    assert text == (
        "The relayer is busy (Relayer busy: 0 tips are waiting; try again shortly). Nothing was sent; "
        "try again in a minute, or pay directly (you pay the gas)."
    )
    assert len(tab.api_calls("/api/tips")) == 1  # the one refused submission
    _untouched(page_fg, page_creator, page_fan, before)
    # The offered way out: pay directly.
    page.click("#notice-action:has-text('Pay directly instead')")
    assert page.is_checked("input[name=tip-mode][value=direct]")
    tab.submit("#tip-send", "tip-status", "Landed")
    assert page_fg.usdc.balanceOf(page_fan) == before[0] - 3_000_000
