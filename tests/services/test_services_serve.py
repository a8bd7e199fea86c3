"""`ape run fairgift serve` as a user runs it (index bot in the same process) and `ape run
fairgift index`: a relayed tip lands and the index follows it; SIGTERM stops everything cleanly."""

import subprocess
import time

import pytest
import sqlalchemy as sa
from svc_helpers import sign_typed, tip_body

from fairgift.bench.harness import ROOT, ServeProcess, ape_env, get, post
from fairgift.db import Database
from fairgift.index import Index
from fairgift.index.schema import index_events
from fairgift.relayer.reads import ChainReader
from tests.constants import USDC

pytestmark = pytest.mark.anvil_only("its processes reach the chain over JSON-RPC")


def test_serve_relays_and_indexes(svc_fg, creators, svc_deployments, svc_new_fan, tmp_path):
    from ape import chain

    db_url = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    proc = ServeProcess(chain.provider.uri, svc_deployments, db_url, tmp_path, ["--batch-wait", "0.2"])
    fan = svc_new_fan()
    domain = ChainReader(chain.provider.web3, svc_fg.jar.address).jar_domain()
    body = tip_body(fan, domain, creators[1].address, svc_fg.usdc.address, 3 * USDC, "served ✓", nonce=0)
    try:
        proc.start()
        status, res = post(proc.url + "/api/tips", body)
        assert status == 202, res
        deadline = time.time() + 60
        while (view := get(f"{proc.url}/api/tips/{res['id']}")[1])["status"] != "landed":
            assert time.time() < deadline and view["status"] in ("queued", "submitted"), view
            time.sleep(0.1)
        # the bot in the same process indexes the block the tip landed in
        while get(proc.url + "/api/health")[1]["index"]["block"] < view["block"]:
            assert time.time() < deadline, proc.log_text()[-2000:]
            time.sleep(0.1)
        assert proc.stop() == 0
    finally:
        proc.kill()
    log = proc.log_text()
    assert "FairGift service on http://127.0.0.1:" in log and "FairGift service stopped" in log
    assert "Traceback" not in log
    # a local chain has no network profile: the development defaults, as always
    assert (
        "settings from a local chain (chain 31337): development defaults: index confirmations 0, "
        "relayer confirmations 0, batch size 50, gas: the node's fees"
    ) in log
    db = Database(db_url)
    landed = (
        Index(db, svc_fg.record).source().events(["Tipped"], from_block=view["block"], to_block=view["block"])
    )
    assert [(e.args["fan"], e.args["message"], e.tx) for e in landed] == [
        (fan.address, "served ✓", view["tx"])
    ]
    db.dispose()


def test_index_command_catches_up_once(svc_fg, svc_deployments, tmp_path):
    from ape import chain

    db_url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    cmd = ["ape", "run", "fairgift", "index", "--network", "ethereum:local:node", "--db", db_url]
    env = ape_env(chain.provider.uri, svc_deployments)
    first = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "indexed blocks" in first.stdout and "caught up to block" in first.stdout
    assert "index confirmations 0, from a local chain (chain 31337)" in first.stdout
    db = Database(db_url)
    index = Index(db, svc_fg.record)
    with db.read() as conn:
        rows = conn.execute(sa.select(sa.func.count()).select_from(index_events)).scalar_one()
    assert rows == index.state().events > 0
    again = subprocess.run(
        [*cmd, "--confirmations", "2"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert again.returncode == 0 and ": 0 new events" in again.stdout, again.stdout
    assert "index confirmations 2, from a local chain (chain 31337)" in again.stdout  # the option wins
    db.dispose()


def _land(proc, body) -> dict:
    """POST a signed tip to the served relayer over HTTP and wait until it lands."""
    status, res = post(proc.url + "/api/tips", body)
    assert status == 202, res
    deadline = time.time() + 60
    while (view := get(f"{proc.url}/api/tips/{res['id']}")[1])["status"] != "landed":
        assert time.time() < deadline and view["status"] in ("queued", "submitted"), view
        time.sleep(0.1)
    return view


def test_defaults_let_a_gasless_fan_tip_twice_on_one_permit(
    svc_fg, creators, svc_deployments, svc_new_fan, tmp_path
):
    """`serve` with its default relay policy, over HTTP: a fan with USDC and no ether tips
    gaslessly (a permit the relayer sponsors, for the default 20 USDC), then tips again at once on
    the allowance it left, with no new permit (one is sponsored per fan a day: before, the permit
    was for the first tip only and the second prepared another, refused 429)."""
    from ape import chain

    fan = svc_new_fan(usdc=100, approve=False)
    usdc, jar = svc_fg.usdc, svc_fg.jar
    assert chain.provider.get_balance(fan.address) == 0 and usdc.allowance(fan.address, jar.address) == 0
    db_url = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    proc = ServeProcess(chain.provider.uri, svc_deployments, db_url, tmp_path, ["--batch-wait", "0.2"])
    ask = {"fan": fan.address, "creator": creators[0].address, "message": "live!"}
    try:
        proc.start()
        status, policy = get(proc.url + "/api/relayer")
        assert status == 200 and policy["policy"]["permitAllowanceUnits"] == str(20 * USDC), policy
        status, first = post(proc.url + "/api/tips/prepare", {**ask, "amount": str(2 * USDC)})
        assert status == 200, first
        assert first["permit"]["message"]["value"] == str(20 * USDC)
        assert first["request"]["permit"]["value"] == str(20 * USDC)
        body = first["request"]
        body["signature"] = sign_typed(fan, first["tip"])
        body["permit"]["signature"] = sign_typed(fan, first["permit"])
        _land(proc, body)
        assert usdc.allowance(fan.address, jar.address) == 18 * USDC
        status, second = post(proc.url + "/api/tips/prepare", {**ask, "amount": str(3 * USDC)})
        assert status == 200, second
        assert second["permit"] is None and second["request"]["permit"] is None
        body = second["request"]
        body["signature"] = sign_typed(fan, second["tip"])
        view = _land(proc, body)
        assert proc.stop() == 0
    finally:
        proc.kill()
    assert "Traceback" not in proc.log_text()
    assert usdc.allowance(fan.address, jar.address) == 15 * USDC
    assert usdc.balanceOf(fan.address) == 95 * USDC and usdc.nonces(fan.address) == 1  # one permit
    assert chain.provider.get_balance(fan.address) == 0  # the fan never paid gas
    tipped = [log for log in jar.Tipped.range(view["block"] - 5, view["block"] + 1) if log.fan == fan.address]
    assert [(log.amount, log.message) for log in tipped] == [(2 * USDC, "live!"), (3 * USDC, "live!")]
