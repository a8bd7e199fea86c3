"""`GET /api/tx/{hash}` over real HTTP: a revert is replayed only for a transaction to this
deployment's contracts, once per hash (cached), and without the views' lock, so a slow replay does
not hold up the other pages."""

import threading
import time

import pytest
from svc_helpers import send_as

from fairgift.bench.harness import get, serving
from fairgift.web.app import create_app
from tests.constants import USDC


def send_reverting(fan, to, data) -> str:
    """`fan` sends a transaction that reverts, with its own gas limit (no estimate): it is mined."""
    receipt = send_as(fan, to, data, status=0)
    return "0x" + bytes(receipt["transactionHash"]).hex().removeprefix("0x")


@pytest.fixture
def tx_fan(svc_new_fan, owner):
    fan = svc_new_fan(approve=False)  # holds USDC, has not approved the jar
    owner.transfer(fan.address, 10**18)
    return fan


def tip_without_allowance(svc_fg, fan, creator) -> str:
    data = svc_fg.jar.tip.encode_input(creator, svc_fg.usdc.address, USDC, "no allowance")
    return send_reverting(fan, svc_fg.jar.address, data)


def test_only_our_reverts_are_replayed_once(svc_service, svc_fg, project, owner, creators, tx_fan):
    app = create_app(svc_service)
    outcomes = app.state.views.outcomes
    answers = []
    with serving(app) as url:
        ours = tip_without_allowance(svc_fg, tx_fan, creators[0].address)
        stranger = project.MockUSDC.deploy(owner, sender=owner)  # not this deployment's
        theirs = send_reverting(
            tx_fan, stranger.address, stranger.transfer.encode_input(owner.address, 10**30)
        )
        for tx_hash in (ours, ours, "0x" + ours[2:].upper(), theirs, theirs):
            status, answer = get(f"{url}/api/tx/{tx_hash}")
            assert status == 200, answer
            answers.append(answer)
    first, again, upper, foreign, foreign_again = answers
    assert first["status"] == "reverted" and first["code"] == "allowance", first
    assert again == first and upper == first
    assert outcomes.replays == 1  # one replay for three requests of our revert, none for theirs
    assert foreign["status"] == "reverted" and "not sent to FairGift" in foreign["reason"], foreign
    assert foreign_again == foreign


def test_a_slow_replay_does_not_hold_up_other_pages(svc_service, svc_fg, creators, tx_fan, monkeypatch):
    """The node takes 3 s to replay the fan's revert; a creator's state is served meanwhile."""
    from ape import chain

    eth = chain.provider.web3.eth
    call = eth.call

    def slow_for_the_fan(transaction, *args, **kwargs):
        if str(transaction.get("from", "")).lower() == tx_fan.address.lower():
            time.sleep(3)
        return call(transaction, *args, **kwargs)

    reverted = tip_without_allowance(svc_fg, tx_fan, creators[0].address)
    monkeypatch.setattr(eth, "call", slow_for_the_fan)
    with serving(create_app(svc_service)) as url:
        replay = {}
        thread = threading.Thread(target=lambda: replay.update(answer=get(f"{url}/api/tx/{reverted}", 30)))
        started = time.monotonic()
        thread.start()
        time.sleep(0.5)  # the replay is under way
        status, state = get(f"{url}/api/creators/{creators[0].address}", 30)
        served_in = time.monotonic() - started
        thread.join(30)
    assert status == 200 and state["creator"]["address"] == creators[0].address
    assert served_in < 2.5, served_in  # before the replay's 3 s were over
    assert replay["answer"][0] == 200 and replay["answer"][1]["code"] == "allowance", replay
