"""What fans wrote, safely shown, over real HTTP: direct tips (the relayer's 280-byte cap does not
apply on chain) with 40 KB messages, bidirectional controls and U+0000 leave a creator's page
small, its messages cut at 280 characters with the whole text on demand, and every control
character replaced as the CLI replaces it."""

import json
import re
from pathlib import Path

import pytest
from eth_account import Account

from fairgift.bench.harness import get, serving
from fairgift.display import REPLACEMENT
from fairgift.web.app import create_app
from tests.constants import USDC

PAGE_BOUND = 32 * 1024
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
HOSTILE = "pay " + BIDI + "\u0000\u001b[31m\u0085 here"


def tip_directly(svc_fg, fan, creator: str, message: str) -> str:
    """`fan` tips `creator` 1 USDC with `message` in its own transaction (gas for a long message)."""
    from ape import chain

    web3 = chain.provider.web3
    data = svc_fg.jar.tip.encode_input(creator, svc_fg.usdc.address, USDC, message)
    tx = {
        "to": svc_fg.jar.address,
        "data": "0x" + bytes(data).hex(),
        "nonce": web3.eth.get_transaction_count(fan.address),
        "gas": 5_000_000,
        "maxFeePerGas": 10**11,
        "maxPriorityFeePerGas": 10**9,
        "chainId": web3.eth.chain_id,
    }
    tx_hash = web3.eth.send_raw_transaction(fan.sign_transaction(tx).raw_transaction)
    assert web3.eth.wait_for_transaction_receipt(tx_hash)["status"] == 1
    return "0x" + bytes(tx_hash).hex().removeprefix("0x")


@pytest.fixture
def flooded(svc_fg, svc_new_fan):
    """A fresh creator with three 40 KB tips and one hostile one (the newest)."""
    fan = svc_new_fan(usdc=100)
    creator = Account.create().address
    long_messages = [(f"#{n} " + "x" * 40_000) for n in range(3)]
    for message in long_messages:
        tip_directly(svc_fg, fan, creator, message)
    tip_directly(svc_fg, fan, creator, HOSTILE)
    return creator, long_messages


def embedded_state(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="state">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def check_items(items, long_messages):
    hostile, *long_ones = items
    assert hostile["message"] == "pay " + REPLACEMENT * (len(BIDI) + 2) + "[31m" + " " + " here"
    assert not hostile["truncated"] and "full" not in hostile
    for item, message in zip(long_ones, reversed(long_messages), strict=True):
        assert item["truncated"] and item["message"] == message[:280] + "…"
        assert item["full"].startswith("/api/creators/") and item["cursor"].endswith(
            item["full"].split("/")[-1]
        )


def test_a_creator_page_stays_small_and_shows_neutralised_text(svc_service, flooded):
    creator, long_messages = flooded
    with serving(create_app(svc_service)) as url:
        import urllib.request

        with urllib.request.urlopen(f"{url}/c/{creator}", timeout=60) as res:
            html = res.read().decode()
        assert len(html.encode()) < PAGE_BOUND, len(html.encode())
        for ch in BIDI + "\u0000\u001b":
            assert ch not in html and f"\\u{ord(ch):04x}" not in html, repr(ch)
        state = embedded_state(html)
        check_items(state["recent"]["items"], long_messages)

        status, api_state = get(f"{url}/api/creators/{creator}", 60)
        assert status == 200
        check_items(api_state["recent"]["items"], long_messages)
        status, older = get(f"{url}/api/creators/{creator}/tips?limit=10", 60)
        assert status == 200 and len(json.dumps(older)) < PAGE_BOUND
        check_items(older["items"], long_messages)

        # the whole message on demand, for one tip
        item = older["items"][1]
        status, whole = get(url + item["full"], 60)
        assert status == 200, whole
        assert whole["message"] == long_messages[-1] and not whole["truncated"]
        assert whole["tx"] == item["tx"] and whole["fan"] == item["fan"]
        # another creator's path, a log index with no tip, a malformed one: refused
        other = Account.create().address
        assert get(url + item["full"].replace(creator, other), 60)[0] == 404
        assert get(url + item["full"].rsplit("/", 1)[0] + "/999", 60)[0] == 404
        assert get(url + item["full"].rsplit("/", 1)[0] + "/abc", 60)[0] == 400


def test_the_page_script_sets_fan_text_as_text_only():
    """Messages reach the DOM through textContent (`el`, `setText`), never parsed as HTML."""
    static = Path(__file__).resolve().parents[2] / "fairgift" / "web" / "static"
    for script in static.glob("*.js"):
        source = script.read_text()
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in source, (script.name, sink)
