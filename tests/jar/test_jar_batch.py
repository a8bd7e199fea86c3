"""tipBatch: fan-signed EIP-712 tips relayed in one transaction.

Semantics: a bad item is skipped with `BatchTipSkipped(index, fan, nonce, reason)`; no funds move
for it and its nonce stays unused. The batch reverts only when empty, for a token not allowed, when
`messages` is not the items' messages end to end, or when the token delivers less than the tips it
booked. Calls are encoded by fairgift.batch (`batch_args`), the one encoder the relayer uses too.
"""

from dataclasses import replace

import ape
import pytest
from eth_abi import encode
from eth_account.messages import _hash_eip191_message
from eth_utils import keccak
from jar_helpers import FEE_BPS, MSG32

from fairgift import eip712
from fairgift.batch import batch_args, by_creator, next_nonce, sign_tip, skip_reason, tip_message
from fairgift.fees import split
from fairgift.signing import domain_of
from tests.constants import MAX_UINT, USDC, ZERO_ADDRESS

REASON = {
    name: i
    for i, name in enumerate(
        ["None", "Expired", "ZeroAmount", "InvalidCreator", "NonceUsed", "BadSignature", "TransferFailed"]
    )
}


@pytest.fixture
def deadline(chain):
    return chain.pending_timestamp + 3600


def test_domain_and_digest(jar, usdc, approved_fan, creator, chain, deadline):
    assert domain_of(jar) == {
        "name": "FairGift TipJar",
        "version": "1",
        "chainId": chain.chain_id,
        "verifyingContract": jar.address,
    }
    assert bytes(jar.TIP_TYPEHASH()) == eip712.TIP.typehash
    msg = tip_message(jar, approved_fan, creator, usdc, 5, "hello", 7, deadline)
    digest = jar.batchTipDigest(approved_fan, creator, usdc, 5, "hello", 7, deadline)
    assert bytes(digest) == _hash_eip191_message(msg)


def test_good_batch(jar, usdc, approved_fan, approved_fan2, creator, creator2, treasury, relayer, deadline):
    items = [
        sign_tip(approved_fan, jar, creator, usdc, 10 * USDC, "one", 0, deadline),
        sign_tip(approved_fan2, jar, creator2, usdc, 3 * USDC, "two", 5, deadline),
        sign_tip(approved_fan, jar, creator2, usdc, 1, "three", 1, deadline),
    ]
    fan_before, fan2_before = usdc.balanceOf(approved_fan), usdc.balanceOf(approved_fan2)
    tx = jar.tipBatch(usdc, *batch_args(items), sender=relayer)
    assert tx.return_value == 3
    f1, n1 = split(10 * USDC, FEE_BPS)
    f2, n2 = split(3 * USDC, FEE_BPS)
    f3, n3 = split(1, FEE_BPS)
    tipped = [e for e in tx.events if e.event_name == "Tipped"]
    assert tipped == [
        jar.Tipped(
            fan=approved_fan, creator=creator, token=usdc, amount=10 * USDC, fee=f1, giftId=0, message="one"
        ),
        jar.Tipped(
            fan=approved_fan2, creator=creator2, token=usdc, amount=3 * USDC, fee=f2, giftId=0, message="two"
        ),
        jar.Tipped(
            fan=approved_fan, creator=creator2, token=usdc, amount=1, fee=f3, giftId=0, message="three"
        ),
    ]
    assert jar.balanceOf(creator, usdc) == n1
    assert jar.balanceOf(creator2, usdc) == n2 + n3
    assert jar.balanceOf(treasury, usdc) == f1 + f2 + f3
    assert usdc.balanceOf(approved_fan) == fan_before - 10 * USDC - 1
    assert usdc.balanceOf(approved_fan2) == fan2_before - 3 * USDC
    assert usdc.balanceOf(relayer) == 0
    assert jar.isNonceUsed(approved_fan, 0) and jar.isNonceUsed(approved_fan, 1)
    assert jar.isNonceUsed(approved_fan2, 5) and not jar.isNonceUsed(approved_fan2, 0)
    assert next_nonce(jar, approved_fan) == 2
    assert next_nonce(jar, approved_fan2) == 0
    assert next_nonce(jar, approved_fan2, start=5) == 6


def test_bad_items_skipped(
    jar, usdc, owner, approved_fan, approved_fan2, creator, treasury, relayer, accounts, chain, deadline
):
    broke = accounts[8]  # signed, but no allowance and no balance
    good = sign_tip(approved_fan, jar, creator, usdc, 2 * USDC, "ok", 0, deadline)
    expired = sign_tip(approved_fan, jar, creator, usdc, 1 * USDC, "late", 1, chain.pending_timestamp - 1)
    zero = sign_tip(approved_fan, jar, creator, usdc, 0, "zero", 2, deadline)
    to_jar = sign_tip(approved_fan, jar, jar, usdc, 1, "jar", 3, deadline)
    to_zero = sign_tip(approved_fan, jar, ZERO_ADDRESS, usdc, 1, "zero", 4, deadline)
    replay = good  # the same item twice in one batch
    forged = sign_tip(approved_fan2, jar, creator, usdc, 5 * USDC, "forged", 0, deadline)
    forged = replace(forged, fan=str(approved_fan))  # claims to be approved_fan's tip
    raised = sign_tip(approved_fan2, jar, creator, usdc, 1 * USDC, "raise", 1, deadline)
    raised = replace(raised, amount=100 * USDC)  # amount altered
    no_funds = sign_tip(broke, jar, creator, usdc, 1 * USDC, "broke", 0, deadline)
    items = [good, expired, zero, to_jar, to_zero, replay, forged, raised, no_funds]
    fan_before = usdc.balanceOf(approved_fan)
    tx = jar.tipBatch(usdc, *batch_args(items), sender=relayer)
    assert tx.return_value == 1
    skipped = [e for e in tx.events if e.event_name == "BatchTipSkipped"]
    expected = [
        (1, approved_fan, 1, "Expired"),
        (2, approved_fan, 2, "ZeroAmount"),
        (3, approved_fan, 3, "InvalidCreator"),
        (4, approved_fan, 4, "InvalidCreator"),
        (5, approved_fan, 0, "NonceUsed"),
        (6, approved_fan, 0, "NonceUsed"),  # nonce 0 of approved_fan was just used by `good`
        (7, approved_fan2, 1, "BadSignature"),
        (8, broke, 0, "TransferFailed"),
    ]
    assert skipped == [
        jar.BatchTipSkipped(index=i, fan=f, nonce=n, reason=REASON[r]) for i, f, n, r in expected
    ]
    assert [skip_reason(e.reason) for e in skipped] == [r for *_, r in expected]
    # Only the good item moved funds; the skipped items' nonces are still free.
    fee, net = split(2 * USDC, FEE_BPS)
    assert jar.balanceOf(creator, usdc) == net
    assert jar.balanceOf(treasury, usdc) == fee
    assert usdc.balanceOf(approved_fan) == fan_before - 2 * USDC
    assert usdc.balanceOf(jar) == 2 * USDC
    for n in (1, 2, 3, 4):
        assert not jar.isNonceUsed(approved_fan, n)
    assert not jar.isNonceUsed(approved_fan2, 1)
    assert not jar.isNonceUsed(broke, 0)
    # The unfunded fan's tip goes through once the fan approves and is funded.
    usdc.mint(broke, 1 * USDC, sender=owner)
    usdc.approve(jar, MAX_UINT, sender=broke)
    assert jar.tipBatch(usdc, *batch_args([no_funds]), sender=relayer).return_value == 1


def test_forged_by_wrong_signer(jar, usdc, approved_fan, approved_fan2, creator, relayer, deadline):
    forged = sign_tip(approved_fan2, jar, creator, usdc, 5 * USDC, "x", 9, deadline)
    forged = replace(forged, fan=str(approved_fan))
    tx = jar.tipBatch(usdc, *batch_args([forged]), sender=relayer)
    assert tx.return_value == 0
    assert tx.events == [
        jar.BatchTipSkipped(index=0, fan=approved_fan, nonce=9, reason=REASON["BadSignature"])
    ]
    assert jar.balanceOf(creator, usdc) == 0


def test_replay_in_a_later_batch(jar, usdc, approved_fan, creator, relayer, deadline):
    item = sign_tip(approved_fan, jar, creator, usdc, 1 * USDC, "once", 300, deadline)
    assert jar.tipBatch(usdc, *batch_args([item]), sender=relayer).return_value == 1
    tx = jar.tipBatch(usdc, *batch_args([item]), sender=relayer)
    assert tx.return_value == 0
    assert tx.events == [
        jar.BatchTipSkipped(index=0, fan=approved_fan, nonce=300, reason=REASON["NonceUsed"])
    ]
    assert jar.balanceOf(creator, usdc) == split(1 * USDC, FEE_BPS)[1]


def test_expired_at_deadline_boundary(jar, usdc, approved_fan, creator, relayer, chain):
    deadline = chain.pending_timestamp + 100
    item = sign_tip(approved_fan, jar, creator, usdc, 1 * USDC, "edge", 0, deadline)
    chain.pending_timestamp = deadline + 1
    tx = jar.tipBatch(usdc, *batch_args([item]), sender=relayer)
    assert tx.events == [jar.BatchTipSkipped(index=0, fan=approved_fan, nonce=0, reason=REASON["Expired"])]
    item2 = sign_tip(approved_fan, jar, creator, usdc, 1 * USDC, "edge", 1, deadline + 10)
    chain.pending_timestamp = deadline + 10  # valid up to and including the deadline
    assert jar.tipBatch(usdc, *batch_args([item2]), sender=relayer).return_value == 1


def test_invalidate_nonces(jar, usdc, approved_fan, creator, relayer, deadline):
    item = sign_tip(approved_fan, jar, creator, usdc, 1 * USDC, "cancel me", 257, deadline)
    tx = jar.invalidateNonces(1, 0b10, sender=approved_fan)
    assert tx.events == [jar.NoncesInvalidated(fan=approved_fan, word=1, mask=2)]
    assert jar.nonceBitmap(approved_fan, 1) == 2
    tx = jar.tipBatch(usdc, *batch_args([item]), sender=relayer)
    assert tx.events == [
        jar.BatchTipSkipped(index=0, fan=approved_fan, nonce=257, reason=REASON["NonceUsed"])
    ]


def test_batch_level_errors(jar, usdc, dai, fot_token, owner, accounts, creator, relayer, deadline):
    with ape.reverts(jar.EmptyBatch):
        jar.tipBatch(usdc, [], b"", sender=relayer)
    payer = accounts[8]
    item = sign_tip(payer, jar, creator, dai, 1, "", 0, deadline)
    with ape.reverts(jar.TokenNotAllowed, token=dai):
        jar.tipBatch(dai, *batch_args([item]), sender=relayer)
    # A fee-on-transfer token reverts the whole batch: nothing is credited.
    jar.setTokenAllowed(fot_token, True, sender=owner)
    fot_token.mint(payer, 1_000 * USDC, sender=payer)
    fot_token.approve(jar, MAX_UINT, sender=payer)
    item = sign_tip(payer, jar, creator, fot_token, 100 * USDC, "", 0, deadline)
    with ape.reverts(jar.TransferShortfall, token=fot_token, expected=100 * USDC, received=99 * USDC):
        jar.tipBatch(fot_token, *batch_args([item]), sender=relayer)


def test_signature_bound_to_token(jar, usdc, dai, owner, approved_fan, creator, relayer, deadline):
    """A tip signed for one token cannot be submitted in a batch of another."""
    jar.setTokenAllowed(dai, True, sender=owner)
    item = sign_tip(approved_fan, jar, creator, usdc, 1, "", 0, deadline)
    tx = jar.tipBatch(dai, *batch_args([item]), sender=relayer)
    assert tx.events == [
        jar.BatchTipSkipped(index=0, fan=approved_fan, nonce=0, reason=REASON["BadSignature"])
    ]


def test_batch_credit_is_withdrawable(jar, usdc, approved_fan, creator, relayer, deadline):
    item = sign_tip(approved_fan, jar, creator, usdc, 7 * USDC, MSG32, 0, deadline)
    jar.tipBatch(usdc, *batch_args([item]), sender=relayer)
    assert jar.withdraw(usdc, sender=creator).return_value == split(7 * USDC, FEE_BPS)[1]


def _tipped(tx, jar):
    return [e for e in tx.events if e.event_name == "Tipped"]


def test_messages_must_be_the_items_messages_end_to_end(jar, usdc, approved_fan, creator, relayer, deadline):
    items = [
        sign_tip(approved_fan, jar, creator, usdc, 1 * USDC, "first", 0, deadline),
        sign_tip(approved_fan, jar, creator, usdc, 1 * USDC, "second", 1, deadline),
    ]
    tips, messages = batch_args(items)
    assert messages == b"\x00\x05first\x00\x06second"
    with ape.reverts(jar.BatchMessagesMismatch, index=1):
        jar.tipBatch(usdc, tips, messages[:-1], sender=relayer)  # the second message runs past the end
    with ape.reverts(jar.BatchMessagesMismatch, index=0):
        jar.tipBatch(usdc, tips, b"\xff\xff" + messages[2:], sender=relayer)  # a length beyond the end
    with ape.reverts(jar.BatchMessagesMismatch, index=2):
        jar.tipBatch(usdc, tips, messages + b"!", sender=relayer)  # bytes left over
    with ape.reverts(jar.BatchMessagesMismatch, index=0):
        jar.tipBatch(usdc, tips, b"", sender=relayer)
    assert not jar.isNonceUsed(approved_fan, 0) and not jar.isNonceUsed(approved_fan, 1)
    assert jar.tipBatch(usdc, tips, messages, sender=relayer).return_value == 2


def test_relayer_cannot_swap_or_edit_messages(
    jar, usdc, approved_fan, approved_fan2, creator, relayer, deadline
):
    a = sign_tip(approved_fan, jar, creator, usdc, 1 * USDC, "love it", 0, deadline)
    b = sign_tip(approved_fan2, jar, creator, usdc, 1 * USDC, "hate it", 0, deadline)
    tips, _ = batch_args([a, b])
    before = usdc.balanceOf(jar)
    tx = jar.tipBatch(usdc, tips, b"\x00\x07hate it\x00\x07love it", sender=relayer)  # swapped
    assert tx.return_value == 0
    assert tx.events == [
        jar.BatchTipSkipped(index=0, fan=approved_fan, nonce=0, reason=REASON["BadSignature"]),
        jar.BatchTipSkipped(index=1, fan=approved_fan2, nonce=0, reason=REASON["BadSignature"]),
    ]
    assert usdc.balanceOf(jar) == before


def test_messages_of_any_length_are_logged_byte_exact(
    jar, usdc, approved_fan, creator, creator2, relayer, deadline
):
    """Empty, 1-byte, 32-byte, multi-byte UTF-8 and long messages: `Tipped`'s data is exactly what
    Solidity's ABI encoder would write (zero padding included)."""
    texts = ["", "x", MSG32, "merci ❤️ 🎉 — à bientôt", "long " * 40]
    items = [
        sign_tip(
            approved_fan, jar, creator if i % 2 else creator2, usdc, (i + 1) * USDC, text, 10 + i, deadline
        )
        for i, text in enumerate(texts)
    ]
    tx = jar.tipBatch(usdc, *batch_args(items), sender=relayer)
    assert tx.return_value == len(items)
    topic = keccak(text="Tipped(address,address,address,uint256,uint256,uint256,string)")
    logs = [log for log in tx.logs if str(log["address"]).lower() == str(jar.address).lower()]
    assert len(logs) == len(items)
    for log, item in zip(logs, items, strict=True):
        fee = split(item.amount, FEE_BPS)[0]
        data = encode(["uint256", "uint256", "uint256", "string"], [item.amount, fee, 0, item.message])
        assert bytes(log["data"]) == data
        assert bytes(log["topics"][0]) == topic
    assert [e.message for e in _tipped(tx, jar)] == texts


def test_order_changes_the_gas_not_the_outcome(
    jar, usdc, approved_fan, approved_fan2, creator, creator2, treasury, relayer, chain, deadline
):
    """The same tips interleaved (A, B, A, B, ...) or by creator (A, A, ..., B, B, ...): the same
    credits and events; by creator, each creator's credit is written once, which costs less."""
    pairs = [(approved_fan if i % 2 else approved_fan2, creator if i % 2 else creator2) for i in range(8)]
    items = [
        sign_tip(fan, jar, to, usdc, (i + 1) * USDC, f"tip {i}", 100 + i, deadline)
        for i, (fan, to) in enumerate(pairs)
    ]
    grouped = by_creator(items)
    assert [str(i.creator) for i in grouped] == [str(creator2)] * 4 + [str(creator)] * 4
    outcomes = []
    for order in (items, grouped, [grouped[0], *grouped[4:], *grouped[1:4]]):  # A, B, B, B, B, A, A, A
        snapshot = chain.snapshot()
        tx = jar.tipBatch(usdc, *batch_args(order), sender=relayer)
        credits = (jar.balanceOf(creator, usdc), jar.balanceOf(creator2, usdc), jar.balanceOf(treasury, usdc))
        tipped = sorted((e.fan, e.creator, e.amount, e.fee, e.message) for e in _tipped(tx, jar))
        outcomes.append((credits, tipped, tx.gas_used))
        chain.restore(snapshot)
    (c1, t1, interleaved), (c2, t2, by_run), (c3, t3, returning) = outcomes
    assert c1 == c2 == c3 and t1 == t2 == t3
    amounts = [(i + 1) * USDC for i in range(8)]
    assert c1[0] == sum(split(a, FEE_BPS)[1] for a in amounts[1::2])
    assert c1[1] == sum(split(a, FEE_BPS)[1] for a in amounts[0::2])
    assert by_run < returning < interleaved  # 2 credit writes < 3 < 8


def test_zero_fan_and_malleable_signatures_are_bad(jar, usdc, approved_fan, creator, relayer, deadline):
    """A zero `fan` with a signature that recovers to nothing is not "signed by zero"; and the
    other (high-s) form of a valid signature is refused, as OpenZeppelin's ECDSA refuses it."""
    good = sign_tip(approved_fan, jar, creator, usdc, 1 * USDC, "hi", 7, deadline)
    nobody = replace(good, fan=ZERO_ADDRESS, r=b"\x00" * 32)  # ecrecover returns nothing
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    vs = int.from_bytes(good.vs, "big")
    s, parity = vs & (2**255 - 1), vs >> 255
    high = replace(good, vs=(((n - s) & (2**255 - 1)) | ((1 - parity) << 255)).to_bytes(32, "big"))
    tx = jar.tipBatch(usdc, *batch_args([nobody, high]), sender=relayer)
    assert tx.events == [
        jar.BatchTipSkipped(index=0, fan=ZERO_ADDRESS, nonce=7, reason=REASON["BadSignature"]),
        jar.BatchTipSkipped(index=1, fan=approved_fan, nonce=7, reason=REASON["BadSignature"]),
    ]
    assert jar.tipBatch(usdc, *batch_args([good]), sender=relayer).return_value == 1


def test_bitmap_positions(jar):
    assert jar.bitmapPositions(0) == (0, 0)
    assert jar.bitmapPositions(255) == (0, 255)
    assert jar.bitmapPositions(256) == (1, 0)
    assert jar.bitmapPositions(2**256 - 1) == (2**248 - 1, 255)


def test_creator_word_with_bits_above_an_address_is_an_invalid_creator(
    jar, usdc, approved_fan, creator, relayer, deadline, chain
):
    """A creator word with bits above the 160 of an address (raw calldata; no ABI encoder writes
    it) is skipped as InvalidCreator, even when the fan signed exactly that word, rather than being
    credited to a slot no account could ever withdraw."""
    from eth_account import Account

    from fairgift.eip712 import compact

    dirty = int(str(creator), 16) | 1 << 200
    typehash = bytes(jar.TIP_TYPEHASH())
    struct = keccak(
        encode(
            ["bytes32", "address", "uint256", "address", "uint256", "bytes32", "uint256", "uint256"],
            [typehash, str(approved_fan), dirty, str(usdc), USDC, keccak(b""), 42, deadline],
        )
    )
    digest = keccak(b"\x19\x01" + _separator(jar) + struct)
    signed = Account._sign_hash(digest, approved_fan.private_key)
    r, vs = compact(signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big"))
    item = encode(
        ["address", "(uint256,uint256,uint256,uint256,uint256,bytes32,bytes32)[]", "bytes"],
        [str(usdc), [(int(str(approved_fan), 16), dirty, USDC, 42, deadline, r, vs)], b"\x00\x00"],
    )
    selector = keccak(
        text="tipBatch(address,(address,address,uint256,uint256,uint256,bytes32,bytes32)[],bytes)"
    )[:4]
    before = usdc.balanceOf(approved_fan)
    tx_hash = chain.provider.web3.eth.send_transaction(
        {"from": str(relayer), "to": str(jar), "data": selector + item, "gas": 300_000}
    )
    receipt = chain.provider.web3.eth.wait_for_transaction_receipt(tx_hash)
    assert receipt["status"] == 1
    (log,) = receipt["logs"]
    assert bytes(log["topics"][0]) == keccak(text="BatchTipSkipped(uint256,address,uint256,uint8)")
    assert int.from_bytes(bytes(log["data"])[32:], "big") == REASON["InvalidCreator"]
    assert usdc.balanceOf(approved_fan) == before
    assert not jar.isNonceUsed(approved_fan, 42)


def _separator(jar):
    """The jar's EIP-712 domain separator, from its ERC-5267 domain."""
    _, name, version, chain_id, verifying, *_ = jar.eip712Domain()
    return keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [
                keccak(
                    text="EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
                ),
                keccak(text=name),
                keccak(text=version),
                chain_id,
                str(verifying),
            ],
        )
    )
