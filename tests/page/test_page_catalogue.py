"""The catalogue of creators (names for /c/<name>): the file beside the deployment record, its
rules, and the `ape run fairgift creators` command a running page picks up at once."""

import json
import os
import subprocess

import pytest
from page_env import ROOT, node_url
from playwright.sync_api import expect

from fairgift.creators import Catalogue, catalogue_path
from fairgift.errors import FairGiftError

A = "0x1111111111111111111111111111111111111111"
B = "0x2222222222222222222222222222222222222222"


def test_catalogue_rules(tmp_path):
    catalogue = Catalogue.beside(tmp_path / "31337.json")
    assert catalogue.path == tmp_path / "31337.creators.json" == catalogue_path(tmp_path / "31337.json")
    assert catalogue.all() == []
    entry = catalogue.add("Ava", A.lower(), "Ava  the\n Streamer")
    assert (entry.name, entry.address, entry.label) == ("ava", A, "Ava the Streamer")
    assert json.loads(catalogue.path.read_text()) == {
        "creators": {"ava": {"address": A, "label": "Ava the Streamer"}}
    }
    assert catalogue.add("ava", A).address == A  # the same again is fine
    with pytest.raises(FairGiftError, match="'ava' is already 0x1111"):
        catalogue.add("ava", B)
    for bad in ("", "-ava", "a" * 33, "ava!", "Ava Two", A):
        with pytest.raises(FairGiftError):
            catalogue.add(bad, B)
    with pytest.raises(FairGiftError, match="not an address"):
        catalogue.add("ben", "0x1234")
    catalogue.add("ben", B)
    # another reader (a running service) sees the change without restarting
    reader = Catalogue(catalogue.path)
    assert [c.name for c in reader.all()] == ["ava", "ben"]
    assert reader.get("BEN").address == B and reader.named(B).name == "ben"
    catalogue.remove("ava")
    assert [c.name for c in reader.all()] == ["ben"]
    with pytest.raises(FairGiftError, match="no creator named 'ava' .registered: ben."):
        catalogue.remove("ava")
    catalogue.path.write_text("{not json")
    with pytest.raises(FairGiftError, match="is not a catalogue of creators"):
        Catalogue(catalogue.path).all()


def _said(done) -> list[str]:
    return [line for line in done.stdout.splitlines() if not line.startswith("INFO:")]


@pytest.mark.anvil_only("`ape run fairgift creators` and the browser wallet reach the chain over JSON-RPC")
def test_creators_command_names_a_page(open_tab, page_fg, page_deployment, page_fan, tmp_path):
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "FAIRGIFT_DEPLOYMENTS": str(page_deployment.record_file.parent),
        "APE_NODE_ETHEREUM": json.dumps({"local": {"uri": node_url(page_fg), "chain_id": 31337}}),
    }

    def cli(*args):
        return subprocess.run(
            ["ape", "run", "fairgift", "creators", *args, "--network", "ethereum:local:node"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    added = cli("add", "bob", page_fan.address, "--label", "Bob's <b>stream</b>")
    assert added.returncode == 0, added.stderr
    assert _said(added)[0] == (f"added bob -> {page_fan.address} (Bob's <b>stream</b>): its page is /c/bob")
    tab = open_tab()
    page = tab.open("/c/bob")
    expect(page.locator("#creator-label")).to_have_text("Bob's <b>stream</b>")  # a label is text too
    assert page.locator("#creator-label b").count() == 0
    expect(page.locator("#creator-address")).to_have_text(page_fan.address)
    removed = cli("remove", "bob")
    assert removed.returncode == 0, removed.stderr
    assert _said(removed)[0] == f"removed bob ({page_fan.address})"
    page = tab.open("/c/bob")
    expect(page.locator("#missing-text")).to_contain_text("no creator named 'bob' here")


def test_serve_says_where_the_pages_are(tmp_path):
    from types import SimpleNamespace

    from fairgift.web.views.creators import page_urls

    catalogue = Catalogue.beside(tmp_path / "31337.json")
    service = SimpleNamespace(creators=catalogue, fg=None)
    assert page_urls(service, "http://127.0.0.1:8000/") == [
        "fans' pages: http://127.0.0.1:8000/ lists the creators",
        "  any creator's page: http://127.0.0.1:8000/c/<address>; name one with "
        "`ape run fairgift creators add NAME ADDRESS`",
    ]
    catalogue.add("ava", A, "Ava")
    assert page_urls(service, "http://127.0.0.1:8000")[1:] == ["  Ava: http://127.0.0.1:8000/c/ava"]
