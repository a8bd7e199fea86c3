"""A 2-of-3 Safe as the tip jar's owner, through the Python side of the CLI (fairgift.safe): the
deployer offers ownership, the Safe accepts it, owner A proposes a fee rise, B signs, anyone
executes; the rise is pending for 7 days, then in force. One signature, a forged or edited
signature, a non-owner's signature and an edited proposal are all refused before gas is spent."""

import json

import pytest

from fairgift.errors import FairGiftError
from fairgift.safe import owner_calls
from fairgift.safe.contracts import deploy_safe
from fairgift.safe.multisig import Multisig
from fairgift.safe.proposals import ProposalStore
from tests.constants import DELAY

ERROR_WORDS = r"(?i)no ?pending ?fee"  # the jar's NoPendingFee, as fairgift.errors words it


@pytest.fixture
def proposals(tmp_path):
    return ProposalStore(tmp_path / "safe")


@pytest.fixture
def multisig(safe_wallet, proposals):
    return Multisig(safe_wallet.address, proposals)


def execute_through(multisig, call, proposer, cosigner, executor):
    proposed = multisig.propose(call, proposer)
    multisig.sign(proposed.values["id"], cosigner)
    return multisig.execute(proposed.values["id"], executor)


@pytest.fixture
def safe_owned(safe_fg, multisig, owner, safe_signers, stranger):
    """The jar owned by the Safe: offered by the deployer, accepted through the Safe (A + C)."""
    a, _, c = safe_signers
    owner_calls.send(owner_calls.transfer_ownership(safe_fg, multisig.address), owner)
    assert safe_fg.jar.pendingOwner() == multisig.address
    assert safe_fg.jar.owner() == owner.address  # two steps: nothing changes before acceptance
    execute_through(multisig, owner_calls.accept_ownership(safe_fg), a, c, stranger)
    assert safe_fg.jar.owner() == multisig.address
    return multisig


def test_the_safe_is_a_2_of_3_safe_v1_4_1(safe_wallet, safe_signers, multisig):
    assert safe_wallet.VERSION() == "1.4.1"
    assert multisig.threshold() == 2
    assert multisig.owners() == [a.address for a in safe_signers]


def test_a_fee_rise_through_the_safe_end_to_end(safe_fg, safe_owned, safe_signers, stranger, owner, chain):
    multisig, (a, b, _) = safe_owned, safe_signers
    before = int(safe_fg.jar.feeBps())
    call = owner_calls.schedule_fee(safe_fg, "8%", "jar")
    proposed = multisig.propose(call, a)
    pid = proposed.values["id"]
    assert "1 of 2 signatures" in proposed.summary and "waiting" in proposed.summary
    assert safe_fg.jar.pendingFee() == (0, 0)  # a proposal sends nothing

    with pytest.raises(FairGiftError, match=r"1 valid signature\(s\) of the 2 the Safe needs"):
        multisig.execute(pid, stranger)
    assert multisig.nonce() == 1  # nothing executed (the acceptance was nonce 0)

    signed = multisig.sign(pid, b)
    assert "2 of 2 signatures" in signed.summary and "ready to execute" in signed.summary
    result = multisig.execute(pid, stranger)  # anyone may send a fully signed transaction
    when = result.receipts[0].timestamp + DELAY
    assert safe_fg.jar.pendingFee() == (800, when)
    assert int(safe_fg.jar.feeBps()) == before
    assert "pending: 8% (800 bps)" in safe_fg.status_text()
    assert json.loads(multisig.store.path(pid).read_text())["executed_tx"] == str(result.receipts[0].txn_hash)

    chain.mine(timestamp=when - 1)
    assert int(safe_fg.jar.feeBps()) == before
    chain.mine(timestamp=when)
    assert int(safe_fg.jar.feeBps()) == 800

    with pytest.raises(FairGiftError, match="was executed"):
        multisig.execute(pid, stranger)  # never twice
    with pytest.raises(FairGiftError, match="only the jar's owner"):
        owner_calls.send(owner_calls.schedule_fee(safe_fg, "6%"), owner)  # the deployer no longer can


def test_every_owner_call_goes_through_the_safe(safe_fg, safe_owned, safe_signers, stranger, treasury, usdc):
    multisig, (a, b, c) = safe_owned, safe_signers
    calls = [
        owner_calls.set_gift(safe_fg, 42, "Comet", "12.50"),
        owner_calls.set_treasury(safe_fg, stranger, "jar"),
        owner_calls.allow_token(safe_fg, usdc.address, False),
        owner_calls.schedule_fee(safe_fg, "9%"),
    ]
    ids = [multisig.propose(call, a).values["id"] for call in calls]  # queued: nonces 1, 2, 3, 4
    assert [int(i.rpartition("-")[2]) for i in ids] == [1, 2, 3, 4]
    for pid in ids:
        multisig.sign(pid, c)
    with pytest.raises(FairGiftError, match="waits for the Safe's nonce 1"):
        multisig.execute(ids[1], stranger)  # in order only
    for pid in ids:
        multisig.execute(pid, stranger)
    assert safe_fg.jar.gift(42) == ("Comet", 12_500_000)
    assert safe_fg.jar.treasury() == stranger.address
    assert not safe_fg.jar.isTokenAllowed(usdc.address)
    assert safe_fg.jar.pendingFee()[0] == 900
    cancel = multisig.propose(owner_calls.cancel_fee(safe_fg), b)
    multisig.sign(cancel.values["id"], a)
    multisig.execute(cancel.values["id"], stranger)
    assert safe_fg.jar.pendingFee() == (0, 0)
    # and ownership moves on only through the Safe, in two steps too
    new_owner = treasury.address
    move = multisig.propose(owner_calls.transfer_ownership(safe_fg, new_owner), c)
    multisig.sign(move.values["id"], b)
    multisig.execute(move.values["id"], stranger)
    assert safe_fg.jar.pendingOwner() == new_owner and safe_fg.jar.owner() == multisig.address
    owner_calls.send(owner_calls.accept_ownership(safe_fg), treasury)
    assert safe_fg.jar.owner() == new_owner


def test_a_non_owner_can_neither_propose_nor_sign(safe_fg, safe_owned, safe_signers, stranger):
    multisig, (a, _, _) = safe_owned, safe_signers
    call = owner_calls.schedule_fee(safe_fg, "8%")
    with pytest.raises(FairGiftError, match="is not an owner of the Safe"):
        multisig.propose(call, stranger)
    pid = multisig.propose(call, a).values["id"]
    with pytest.raises(FairGiftError, match="is not an owner of the Safe"):
        multisig.sign(pid, stranger)
    with pytest.raises(FairGiftError, match="has already signed"):
        multisig.sign(pid, a)


def test_a_stranger_signature_or_a_forged_one_does_not_count(safe_fg, safe_owned, safe_signers, stranger):
    """Signatures edited into the file: a stranger's real signature, B's name on A's signature, a
    corrupted one. None counts; the execute is refused with the reason before any gas is spent."""
    multisig, (a, b, _) = safe_owned, safe_signers
    pid = multisig.propose(owner_calls.schedule_fee(safe_fg, "8%"), a).values["id"]
    path = multisig.store.path(pid)
    doc = json.loads(path.read_text())
    digest = bytes.fromhex(doc["safe_tx_hash"][2:])
    stranger_sig = stranger.sign_raw_msghash(digest)
    if stranger_sig is None:  # pragma: no cover - test accounts always sign raw hashes
        pytest.skip("this account type cannot sign a raw hash")
    for forged in (
        {stranger.address: "0x" + bytes(stranger_sig.encode_rsv()).hex()},  # a real signature, not an owner
        {b.address: doc["signatures"][a.address]},  # A's signature under B's name
        {b.address: doc["signatures"][a.address][:-2] + "1c"},  # v flipped: another signer
        {b.address: "0x" + "00" * 65},
    ):
        path.write_text(json.dumps({**doc, "signatures": {**doc["signatures"], **forged}}))
        nonce = multisig.nonce()
        with pytest.raises(FairGiftError, match=r"1 valid signature\(s\) of the 2.*not an owner or not its"):
            multisig.execute(pid, stranger)
        assert multisig.nonce() == nonce
    assert safe_fg.jar.pendingFee() == (0, 0)


def test_an_edited_proposal_is_refused(safe_fg, safe_owned, safe_signers, stranger):
    multisig, (a, b, _) = safe_owned, safe_signers
    pid = multisig.propose(owner_calls.schedule_fee(safe_fg, "8%"), a).values["id"]
    path = multisig.store.path(pid)
    doc = json.loads(path.read_text())
    rogue = owner_calls.schedule_fee(safe_fg, "7%").data
    path.write_text(json.dumps({**doc, "data": "0x" + rogue.hex()}))
    with pytest.raises(FairGiftError, match="do not hash to its safe_tx_hash"):
        multisig.sign(pid, b)
    with pytest.raises(FairGiftError, match="do not hash to its safe_tx_hash"):
        multisig.execute(pid, stranger)


def test_a_call_the_jar_refuses_is_refused_before_execution(safe_fg, safe_owned, safe_signers, stranger):
    """A hand-made proposal the builders would refuse (a cancel with nothing pending), signed by two
    owners: execute names the jar's own error and sends nothing (the Safe's nonce is unused)."""
    multisig, (a, b, _) = safe_owned, safe_signers
    call = owner_calls.OwnerCall(safe_fg.jar, "jar", "cancelFee", (), "cancel a rise that is not there")
    pid = multisig.propose(call, a).values["id"]
    multisig.sign(pid, b)
    nonce = multisig.nonce()
    with pytest.raises(FairGiftError, match=ERROR_WORDS):
        multisig.execute(pid, stranger)
    assert multisig.nonce() == nonce


def test_proposing_for_a_contract_the_safe_does_not_own_is_refused(safe_fg, multisig, safe_signers):
    with pytest.raises(FairGiftError, match="owner is .*, not the Safe .*offer it ownership first"):
        multisig.propose(owner_calls.schedule_fee(safe_fg, "8%"), safe_signers[0])
    with pytest.raises(FairGiftError, match="has no pending owner"):
        owner_calls.accept_ownership(safe_fg)


def test_a_safe_v1_3_0_owns_the_market_the_same_way(safe_fg, owner, safe_signers, stranger, proposals):
    """Safe's app deployed v1.3.0 on L2s for years: its SafeTx hash and signatures are the same."""
    older = deploy_safe(owner, safe_signers, 2, version="1.3.0")
    assert older.VERSION() == "1.3.0"
    multisig, (a, b, c) = Multisig(older.address, proposals), safe_signers
    owner_calls.send(owner_calls.transfer_ownership(safe_fg, older.address, "market"), owner)
    execute_through(multisig, owner_calls.accept_ownership(safe_fg, "market"), a, b, stranger)
    assert safe_fg.market.owner() == older.address
    assert int(safe_fg.market.protocolFeeBps()) < 500
    execute_through(multisig, owner_calls.schedule_fee(safe_fg, "5%", "protocol"), b, c, stranger)
    assert safe_fg.market.pendingProtocolFee()[0] == 500


def test_what_is_not_a_safe_is_refused(safe_fg, proposals):
    with pytest.raises(FairGiftError, match="does not answer as a Safe"):
        Multisig(safe_fg.jar.address, proposals)
    with pytest.raises(FairGiftError, match="no contract at"):
        Multisig("0x000000000000000000000000000000000000dEaD", proposals)
