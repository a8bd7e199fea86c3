"""The fans' page with Circle's real USDC (issue 19): FiatTokenV2_2 behind its FiatTokenProxy,
deployed as Circle deploys it (`tests.helpers.circle`), as the deployment's stablecoin; the service
as the page tests run it, and Chromium driving the page with the test wallet.

The gasless flow: a fan with USDC, no ether and no allowance signs a permit in USDC's own domain
("USD Coin", version "2": USDC has no ERC-5267 `eip712Domain()`) and the tip; the relayer lands
both. Then a second gasless tip, on the allowance the permit left (no permit). The direct flow: a
fan with ether approves and tips, and sends a gift. The refusals: a fan Circle has blacklisted, and
a paused token, are told why on the page before anything is signed or sent to the relayer. The
chain is the judge throughout."""

import json
from types import SimpleNamespace

import pytest
from page_env import WALLET_METHODS, TabOpener, running_service
from playwright.sync_api import expect

from fairgift.api import FairGift
from fairgift.bench.harness import serving
from fairgift.deploy import deploy
from fairgift.deployments import DeploymentStore
from tests.constants import TOKEN, USDC
from tests.helpers.circle import circle_account, deploy_usdc, proxy_admin_account

pytestmark = pytest.mark.anvil_only("the fans' browser wallet forwards to the chain's JSON-RPC URL")

# What the service's gasless fans allow the jar with their first permit by default (whole USDC,
# RelayerConfig.permit_allowance): enough for the second tip to need no permit.
PERMIT_ALLOWANCE = "20"


# ---------------------------------------------------------------------------- the chain side


@pytest.fixture(scope="module")
def usdc_page_circle(accounts, owner):
    """Circle (every role of the token: minter, pauser, blacklister)."""
    return circle_account(accounts, owner)


@pytest.fixture(scope="module")
def usdc_page_token(usdc_page_circle, accounts, owner):
    """Circle's USDC (the proxy, called with FiatTokenV2_2's ABI)."""
    return deploy_usdc(usdc_page_circle, proxy_admin_account(accounts, owner)).token


@pytest.fixture(scope="module")
def usdc_page_fg(usdc_page_token, owner, treasury, tmp_path_factory):
    """FairGift deployed with Circle's USDC as its stablecoin (checked as USDC by `deploy`)."""
    store = DeploymentStore(tmp_path_factory.mktemp("usdc-page-deployments"))
    deployed = deploy(
        owner, stablecoin=usdc_page_token.address, treasury=treasury.address, store=store, fresh=True
    )
    return FairGift(deployed.record, store=store)


@pytest.fixture(scope="module")
def usdc_page_people(usdc_page_fg, usdc_page_token, usdc_page_circle, creator, fans):
    """The creator ("ava", a launched token) and three fans with 1,000 USDC each (minted by
    Circle) and no allowance: `gasless` holds no ether at all, `direct` pays its own gas,
    `blocked` is the one Circle will blacklist."""
    usdc_page_fg.launch(creator, "Ava Token", "AVA", creator_fee_bps="5%")
    direct, blocked, gasless = fans
    for account in fans:
        usdc_page_token.mint(account, 1_000 * USDC, sender=usdc_page_circle)
    usdc_page_fg.chain.provider.set_balance(gasless.address, 0)
    return SimpleNamespace(creator=creator, gasless=gasless, direct=direct, blocked=blocked)


# ---------------------------------------------------------------------------- service and browser


@pytest.fixture(scope="module")
def usdc_page_service(usdc_page_fg, usdc_page_people, relayer, tmp_path_factory):
    folder = tmp_path_factory.mktemp("usdc-page-db")
    with running_service(usdc_page_fg, usdc_page_people.creator, relayer, folder) as service:
        yield service


@pytest.fixture(scope="module")
def usdc_page_server(usdc_page_service):
    from fairgift.web.app import create_app

    with serving(create_app(usdc_page_service), timeout=20) as url:
        yield url


@pytest.fixture
def usdc_open_tab(browser, usdc_page_server, usdc_page_service, usdc_page_fg):
    opener = TabOpener(browser, usdc_page_server, usdc_page_service, usdc_page_fg)
    yield opener.open
    opener.close()


def signed_typed_data(tab) -> list[dict]:
    """The typed data the page asked the wallet to sign, in order."""
    log = tab.page.evaluate("window.__wallet.log")
    return [json.loads(entry["params"][1]) for entry in log if entry["method"] == "eth_signTypedData_v4"]


def relayer_spent(chain, relayer) -> tuple[int, int]:
    return chain.provider.get_nonce(relayer.address), chain.provider.get_balance(relayer.address)


# ---------------------------------------------------------------------------- the tests


@pytest.mark.usefixtures("usdc_page_server", "browser", "shots_dir")
def test_the_token_is_circles_usdc_without_erc5267(usdc_page_fg, usdc_page_token):
    """What the rest relies on: the deployment's stablecoin is Circle's USDC, which has no
    `eip712Domain()` (a page or service that asked for it would fail). (It takes the server and the
    browser too, so every wider fixture exists before the first test: Ape's isolation then
    snapshots them once instead of rebasing.)"""
    assert usdc_page_fg.usdc.address == usdc_page_token.address
    assert (usdc_page_token.name(), usdc_page_token.symbol(), usdc_page_token.version()) == (
        "USD Coin",
        "USDC",
        "2",
    )
    web3 = usdc_page_fg.chain.provider.web3
    with pytest.raises(Exception):  # noqa: B017,PT011 - any revert: the function does not exist
        web3.eth.call({"to": usdc_page_token.address, "data": "0x84b0196e"})  # eip712Domain()


def test_gasless_tips_with_permit_then_on_the_allowance(
    usdc_open_tab, usdc_page_fg, usdc_page_token, usdc_page_people, usdc_page_service, relayer, shots_dir
):
    fg, usdc, jar = usdc_page_fg, usdc_page_token, usdc_page_fg.jar
    fan, creator = usdc_page_people.gasless, usdc_page_people.creator
    web3 = fg.chain.provider.web3
    assert web3.eth.get_balance(fan.address) == 0 and usdc.allowance(fan, jar) == 0
    assert usdc.nonces(fan) == 0
    tab = usdc_open_tab(account=fan)
    page = tab.open("/c/ava")
    page.click("#connect")
    expect(page.locator("#balance")).to_have_text("You have 1,000.00 USDC and 0.00 AVA")
    expect(page.locator("#relay-covers li").nth(1)).to_contain_text(
        "It lets the jar take up to 20.00 USDC in all (never more than you hold), and only for tips you sign"
    )
    # what the page shows at the moment the wallet's prompt opens, and the value it asks to sign
    page.evaluate(
        """() => {
            const w = window.__wallet;
            w.prompts = [];
            w.beforeSign = async (params) => {
                const note = document.getElementById("tip-permit");
                const typed = JSON.parse(params[1]);
                w.prompts.push([typed.primaryType, typed.message.value || null,
                                note.hidden ? null : note.textContent]);
            };
        }"""
    )
    page.fill("#tip-amount", "4")
    page.fill("#tip-message", "gasless with real USDC")
    expect(page.locator("#tip-breakdown")).to_have_text(
        "The creator receives 3.80 USDC, the fee is 0.20 USDC."
    )
    tab.submit("#tip-send", "tip-status", "Landed in block")
    # said on the page before the wallet asked for the permit, in the value the wallet was asked
    notice = (
        "This lets the tip jar take up to 20.00 USDC from your wallet, only for tips you sign; you "
        "can lower it to 0 at any time by approving 0 USDC for the tip jar from your wallet (a "
        "transaction: it needs a little ether)."
    )
    assert tab.wallet("w.prompts") == [["Permit", str(20 * USDC), notice], ["Tip", None, notice]]
    expect(page.locator("#tip-permit")).to_have_text(notice)

    permit, tip = signed_typed_data(tab)
    assert permit["primaryType"] == "Permit" and tip["primaryType"] == "Tip"
    assert permit["domain"] == {
        "name": "USD Coin",
        "version": "2",
        "chainId": int(fg.chain.chain_id),
        "verifyingContract": usdc.address,
    }
    assert permit["message"]["spender"] == jar.address and permit["message"]["nonce"] == "0"
    assert int(permit["message"]["value"]) == int(PERMIT_ALLOWANCE) * USDC
    methods = tab.wallet_log()
    assert "eth_sendTransaction" not in methods and set(methods) <= WALLET_METHODS
    # the chain: the permit used USDC's nonce, the allowance it set paid the tip, the fan paid no gas
    assert usdc.nonces(fan) == 1
    assert usdc.balanceOf(fan) == 996 * USDC
    assert jar.balanceOf(creator, usdc) == 3_800_000
    assert usdc.allowance(fan, jar) == 16 * USDC
    assert web3.eth.get_balance(fan.address) == 0
    expect(page.locator("#balance")).to_have_text("You have 996.00 USDC and 0.00 AVA")
    page.screenshot(path=str(shots_dir / "usdc-gasless.png"), full_page=True)

    # The second tip: the allowance covers it, so only the Tip is signed, and no permit is sent.
    tab2 = usdc_open_tab(account=fan)
    page2 = tab2.open("/c/ava")
    page2.fill("#tip-amount", "1.50")
    page2.fill("#tip-message", "again")
    expect(page2.locator("#tip-breakdown")).to_have_text(
        "The creator receives 1.425 USDC, the fee is 0.075 USDC."
    )
    tab2.submit("#tip-send", "tip-status", "Landed in block")
    [tip2] = signed_typed_data(tab2)
    expect(page2.locator("#tip-permit")).to_be_hidden()  # nothing more is allowed this time
    assert tip2["primaryType"] == "Tip"
    assert usdc.nonces(fan) == 1  # no second permit
    assert usdc.balanceOf(fan) == 994_500_000
    assert jar.balanceOf(creator, usdc) == 3_800_000 + 1_425_000
    assert usdc.allowance(fan, jar) == 14_500_000
    assert web3.eth.get_balance(fan.address) == 0
    head = fg.chain.blocks.head.number
    logs = [log for log in jar.Tipped.range(head - 10, head + 1) if log.fan == fan.address]
    assert [(log.amount, log.message) for log in logs] == [
        (4 * USDC, "gasless with real USDC"),
        (1_500_000, "again"),
    ]


def test_direct_tip_gift_and_buy_with_real_usdc(
    usdc_open_tab, usdc_page_fg, usdc_page_token, usdc_page_people, shots_dir
):
    usdc, jar = usdc_page_token, usdc_page_fg.jar
    fan, creator = usdc_page_people.direct, usdc_page_people.creator
    tab = usdc_open_tab(account=fan)
    page = tab.open("/c/ava")
    page.fill("#tip-amount", "2.50")
    page.fill("#tip-message", "direct with real USDC")
    page.check("input[name=tip-mode][value=direct]")
    expect(page.locator("#tip-breakdown")).to_have_text(
        "The creator receives 2.375 USDC, the fee is 0.125 USDC."
    )
    tab.submit("#tip-send", "tip-status", "Landed")
    assert usdc.balanceOf(fan) == 997_500_000
    assert jar.balanceOf(creator, usdc) == 2_375_000
    assert usdc.allowance(fan, jar) == 0  # approved exactly the tip, which took it all
    assert tab.wallet_log().count("eth_sendTransaction") == 2  # approve, then tip

    page.check("input[name=gift][value='2']")  # Heart, $1 (fairgift.gifts.DEFAULT_GIFTS)
    page.fill("#gift-quantity", "3")
    expect(page.locator("#gift-breakdown")).to_contain_text(
        "3 × Heart: 3.00 USDC. The creator receives 2.85 USDC"
    )
    tab.submit("#gift-send", "gift-status", "Landed")
    assert usdc.balanceOf(fan) == 994_500_000
    assert jar.balanceOf(creator, usdc) == 2_375_000 + 2_850_000
    assert tab.wallet_log().count("eth_sendTransaction") == 4
    expect(page.locator("#balance")).to_have_text("You have 994.50 USDC and 0.00 AVA")

    # A buy of the creator's token, priced in real USDC: charged the market's quote.
    market, token = usdc_page_fg.market, usdc_page_fg.creator_token(creator)
    total = int(market.quoteBuy(token, 5 * TOKEN)[0])
    page.fill("#trade-amount", "5")
    expect(page.locator("#trade-quote")).to_contain_text(f"5.00 AVA cost {usdc_page_fg.usd(total)}")
    tab.submit("#trade-send", "trade-status", "Bought")
    assert usdc.balanceOf(fan) == 994_500_000 - total
    assert usdc_page_fg.project.CreatorToken.at(token).balanceOf(fan) == 5 * TOKEN
    page.screenshot(path=str(shots_dir / "usdc-direct.png"), full_page=True)


@pytest.mark.parametrize("mode", ["gasless", "direct"])
def test_a_blacklisted_fan_is_told_before_signing(
    mode, usdc_open_tab, usdc_page_fg, usdc_page_token, usdc_page_people, usdc_page_circle, relayer
):
    fg, usdc = usdc_page_fg, usdc_page_token
    fan = usdc_page_people.blocked
    usdc.blacklist(fan, sender=usdc_page_circle)
    spent = relayer_spent(fg.chain, relayer)
    tab = usdc_open_tab(account=fan)
    page = tab.open("/c/ava")
    page.fill("#tip-amount", "3")
    page.check(f"input[name=tip-mode][value={mode}]")
    expect(page.locator("#tip-breakdown")).to_have_text(
        "The creator receives 2.85 USDC, the fee is 0.15 USDC."
    )
    page.click("#tip-send")
    notice = tab.notice()
    assert "blocked" in notice and "USDC" in notice and "another wallet" in notice, notice
    assert "Nothing was sent" in notice, notice
    methods = tab.wallet_log()
    assert "eth_signTypedData_v4" not in methods and "eth_sendTransaction" not in methods
    assert tab.api_calls("/api/tips") == []  # nothing reached the relayer
    assert relayer_spent(fg.chain, relayer) == spent  # the relayer sent nothing, paid nothing
    assert usdc.balanceOf(fan) == 1_000 * USDC


def test_a_paused_token_is_said_plainly(
    usdc_open_tab, usdc_page_fg, usdc_page_token, usdc_page_people, usdc_page_circle, relayer, shots_dir
):
    fg, usdc = usdc_page_fg, usdc_page_token
    fan = usdc_page_people.direct
    usdc.pause(sender=usdc_page_circle)
    spent = relayer_spent(fg.chain, relayer)
    tab = usdc_open_tab(account=fan)
    page = tab.open("/c/ava")
    page.fill("#tip-amount", "3")
    expect(page.locator("#tip-breakdown")).to_have_text(
        "The creator receives 2.85 USDC, the fee is 0.15 USDC."
    )
    page.click("#tip-send")
    notice = tab.notice()
    assert "USDC is paused" in notice and "Nothing was sent" in notice, notice
    page.screenshot(path=str(shots_dir / "usdc-paused.png"), full_page=True)
    assert "eth_signTypedData_v4" not in tab.wallet_log()
    assert tab.api_calls("/api/tips") == []
    assert relayer_spent(fg.chain, relayer) == spent
    assert usdc.balanceOf(fan) == 1_000 * USDC
