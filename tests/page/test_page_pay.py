"""Paying from the page with the fan's own wallet: a direct tip and a gift (approving first), and a
gift repriced between the quote and the send, which must not charge the fan more than shown."""

import pytest
from page_env import WALLET_METHODS
from playwright.sync_api import expect

from tests.constants import USDC

pytestmark = pytest.mark.anvil_only("the fans' browser wallet forwards to the chain's JSON-RPC URL")


def test_direct_tip_lands_with_message(open_tab, page_fg, page_creator, page_fan):
    usdc, jar = page_fg.usdc, page_fg.jar
    fan_before = usdc.balanceOf(page_fan)
    credit_before = jar.balanceOf(page_creator, usdc)
    tab = open_tab(account=page_fan)
    page = tab.open("/c/ava")
    page.fill("#tip-amount", "2.50")
    expect(page.locator("#tip-breakdown")).to_have_text(
        "The creator receives 2.375 USDC, the fee is 0.125 USDC."
    )
    page.fill("#tip-message", "great stream")
    page.check("input[name=tip-mode][value=direct]")
    tab.submit("#tip-send", "tip-status", "Landed")

    assert usdc.balanceOf(page_fan) == fan_before - 2_500_000
    assert jar.balanceOf(page_creator, usdc) == credit_before + 2_375_000
    # approve (exactly the tip) then tip: two transactions, both from the fan's wallet
    assert tab.wallet_log().count("eth_sendTransaction") == 2
    assert set(tab.wallet_log()) <= WALLET_METHODS
    assert usdc.allowance(page_fan, jar) == 0
    logs = list(jar.Tipped.range(page_fg.chain.blocks.head.number - 1, page_fg.chain.blocks.head.number + 1))
    assert [(log.fan, log.creator, log.amount, log.message) for log in logs] == [
        (page_fan.address, page_creator.address, 2_500_000, "great stream")
    ]
    expect(page.locator("#recent-list .msg").first).to_have_text("great stream")


def test_gift_charges_the_price_shown(open_tab, page_fg, page_creator, page_fan):
    usdc, jar = page_fg.usdc, page_fg.jar
    fan_before = usdc.balanceOf(page_fan)
    credit_before = jar.balanceOf(page_creator, usdc)
    tab = open_tab(account=page_fan)
    page = tab.open("/c/ava")
    page.check("input[name=gift][value='2']")  # Heart, $1 (fairgift.gifts.DEFAULT_GIFTS)
    page.fill("#gift-quantity", "3")
    expect(page.locator("#gift-breakdown")).to_contain_text(
        "3 × Heart: 3.00 USDC. The creator receives 2.85 USDC"
    )
    page.fill("#gift-message", "hearts for you")
    tab.submit("#gift-send", "gift-status", "Landed")
    assert usdc.balanceOf(page_fan) == fan_before - 3_000_000
    assert jar.balanceOf(page_creator, usdc) == credit_before + 2_850_000


def test_gift_repriced_before_send_charges_nothing(open_tab, page_fg, page_creator, page_fan, owner):
    """The owner raises the Heart's price after the page quoted it and after the wallet estimated the
    transaction (a real race): the gift reverts with GiftPriceAboveMax, the fan pays nothing, and the
    page says why."""
    usdc, jar = page_fg.usdc, page_fg.jar
    fan_before = usdc.balanceOf(page_fan)
    credit_before = jar.balanceOf(page_creator, usdc)
    tab = open_tab(account=page_fan)
    page = tab.open("/c/ava")
    page.check("input[name=gift][value='2']")
    expect(page.locator("#gift-breakdown")).to_contain_text("1 × Heart: 1.00 USDC")
    reprice = jar.setGift.encode_input(2, "Heart", 5 * USDC)
    gift_selector = "0x" + bytes(jar.sendGift.encode_input(page_creator, usdc, 2, 1, 1, "")[:4]).hex()
    page.evaluate(
        """([selector, owner, jar, reprice]) => {
            const w = window.__wallet;
            w.beforeSend = async (tx) => {
                if (!tx.data.startsWith(selector)) return;  // the gift, not the approval before it
                tx.gas = await w.rpcCall("eth_estimateGas", [tx]);  // estimated at the old price
                await w.rpcCall("eth_sendTransaction", [{from: owner, to: jar, data: reprice}]);
            };
        }""",
        [gift_selector, owner.address, jar.address, "0x" + bytes(reprice).hex()],
    )
    page.click("#gift-send")
    notice = page.locator("#notice-text")
    expect(notice).to_contain_text("price rose to 5.00 USDC, above the 1.00 USDC you accepted")
    expect(notice).to_contain_text("nothing was charged")
    # The fan's gift was mined and reverted on chain; nothing moved.
    fan_tx = tab.wallet("w.sent[w.sent.length - 1]")
    assert page_fg.chain.provider.web3.eth.get_transaction_receipt(fan_tx)["status"] == 0
    assert usdc.balanceOf(page_fan) == fan_before
    assert jar.balanceOf(page_creator, usdc) == credit_before
    assert jar.gift(2)[1] == 5 * USDC


def test_gasless_tip_with_permit_lands_through_the_relayer(
    open_tab, page_fg, page_creator, page_fan, page_service
):
    """The fan signs a permit and the Tip (no transaction from the fan, no gas); the relayer
    submits both; the page follows the tip to "landed"; the creator's credit and the chain show it."""
    from fairgift.relayer.store import relay_tips  # noqa: F401 - the relayer's own record

    usdc, jar, web3 = page_fg.usdc, page_fg.jar, page_fg.chain.provider.web3
    assert usdc.allowance(page_fan, jar) == 0
    fan_before, eth_before = usdc.balanceOf(page_fan), web3.eth.get_balance(page_fan.address)
    credit_before = jar.balanceOf(page_creator, usdc)
    tab = open_tab(account=page_fan)
    page = tab.open("/c/ava")
    page.fill("#tip-amount", "4")
    page.fill("#tip-message", "gasless hello")
    expect(page.locator("#tip-breakdown")).to_have_text(
        "The creator receives 3.80 USDC, the fee is 0.20 USDC."
    )
    tab.submit("#tip-send", "tip-status", "Landed in block")

    methods = tab.wallet_log()
    assert methods.count("eth_signTypedData_v4") == 2  # the permit, then the tip
    assert "eth_sendTransaction" not in methods
    assert set(methods) <= WALLET_METHODS
    assert web3.eth.get_balance(page_fan.address) == eth_before  # no gas paid by the fan
    assert usdc.balanceOf(page_fan) == fan_before - 4 * USDC
    assert jar.balanceOf(page_creator, usdc) == credit_before + 3_800_000
    head = page_fg.chain.blocks.head.number
    logs = [log for log in jar.Tipped.range(head - 5, head + 1) if log.message == "gasless hello"]
    assert len(logs) == 1 and logs[0].fan == page_fan.address and logs[0].amount == 4 * USDC
    expect(page.locator("#recent-list .msg").first).to_have_text("gasless hello")
    page_service.index.sync()  # the index bot's next step
    newest = page_service.index.recent_tips(page_creator, 1)[0]
    assert (newest.args["message"], newest.args["amount"], newest.block) == (
        "gasless hello",
        4 * USDC,
        logs[0].block_number,
    )
