"""The studio's endpoints without the page: the one error shape for what they refuse (each refusal
naming the control it is about), the tips' paging and search, and the CSV's type."""

import pytest

pytestmark = pytest.mark.anvil_only("served beside the page tests' chain")


@pytest.fixture
def studio_http(browser, page_server):
    context = browser.new_context(base_url=page_server)
    yield context.request
    context.close()


def post(http, action: str, body: dict):
    response = http.post(f"/api/studio/prepare/{action}", data=body)
    return response.status, response.json()


def test_refusals_are_4xx_in_the_one_shape(studio_http, page_fg, page_creator, page_fan):
    me = page_creator.address
    assert post(studio_http, "nonsense", {"from": me}) == (
        404,
        {"error": "no dashboard action 'nonsense'", "code": "not_found"},
    )
    response = studio_http.post(
        "/api/studio/prepare/payout", data="{}", headers={"Content-Type": "text/plain"}
    )
    assert response.status == 415
    status, body = post(studio_http, "withdraw-jar", {})
    assert (status, body["code"]) == (400, "no_wallet")
    status, body = post(studio_http, "withdraw-jar", {"from": page_fan.address})
    assert (status, body["code"]) == (400, "withdraw-jar")
    assert body["error"] == "nothing to withdraw: your tip-jar credit in USDC is 0"
    status, body = post(studio_http, "fee", {"from": me, "fee": "11%"})
    assert (status, body["code"]) == (400, "fee")
    assert "above the cap of 10% (1000 bps)" in body["error"]
    status, body = post(studio_http, "fee", {"from": page_fan.address, "fee": "1%"})
    assert (status, body) == (400, {"error": "launch your token first", "code": "fee"})
    status, body = post(studio_http, "launch", {"from": me, "name": "Again", "symbol": "AG"})
    assert (status, body["code"]) == (400, "launch") and "already launched a token" in body["error"]
    status, body = post(studio_http, "cancel-fee", {"from": me})
    assert (status, body["code"]) == (400, "cancel-fee")
    status, body = post(studio_http, "payout", {"from": me, "payout": "0x1234"})
    assert (status, body["code"]) == (400, "payout")
    status, body = post(studio_http, "split", {"from": me, "payees": "everyone"})
    assert (status, body["code"]) == (400, "split")


def test_split_plan_names_the_address_it_will_create(studio_http, page_fg, page_creator, stranger):
    status, plan = post(
        studio_http,
        "split",
        {
            "from": page_creator.address,
            "payees": [
                {"address": page_creator.address, "share": "50%"},
                {"address": stranger.address, "share": "5000"},
            ],
            "point_payout": False,
        },
    )
    assert status == 200
    assert [tx["to"] for tx in plan["txs"]] == [page_fg.factory.address]  # no payout change asked
    assert plan["split"] in plan["txs"][0]["label"]
    assert not page_fg.chain.provider.get_code(plan["split"])  # not created until the wallet sends


def test_tips_page_and_search(studio_http, page_fg, page_creator, page_fan, page_fan2):
    for fan, amount in ((page_fan, "1"), (page_fan2, "2"), (page_fan, "3")):
        page_fg.tip(fan, page_creator, amount, f"tip of {amount}")
    base = f"/api/studio/{page_creator.address}/tips"
    first = studio_http.get(f"{base}?limit=2").json()
    assert [t["message"] for t in first["items"]] == ["tip of 3", "tip of 2"]
    assert (first["total"], first["more"]) == (3, True)
    rest = studio_http.get(f"{base}?limit=2&offset=2").json()
    assert [t["message"] for t in rest["items"]] == ["tip of 1"] and rest["more"] is False
    found = studio_http.get(f"{base}?fan={page_fan.address.lower()}").json()
    assert [t["message"] for t in found["items"]] == ["tip of 3", "tip of 1"]
    assert studio_http.get(f"{base}?limit=abc").status == 400
    csv = studio_http.get(f"/api/studio/{page_creator.address}/tips.csv")
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text() == page_fg.tips_csv_text(page_fg.tips(page_creator))
    state = studio_http.get(f"/api/studio/{page_creator.address}").json()
    assert state["totals"]["count"] == 3
    assert [s["text"] for s in state["supporters"]] == ["4.00 USDC", "2.00 USDC"]
