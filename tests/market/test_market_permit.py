"""EIP-2612 permit on creator-token clones, with real signatures in each clone's own EIP-712 domain."""

import ape
import pytest
from eth_abi import encode
from eth_utils import keccak

from fairgift import signing
from fairgift.signing import permit_message, sign
from tests.constants import MAX_UINT, TOKEN

from .conftest import deadline, transfer

DOMAIN_TYPEHASH = keccak(
    text="EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
)


@pytest.fixture
def token2(project, market, creator2, traders):
    return project.CreatorToken.at(market.launch("Second Coin", "SEC", 0, 0, 0, sender=creator2).return_value)


def expected_separator(name, chain_id, address):
    return keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [DOMAIN_TYPEHASH, keccak(text=name), keccak(text="1"), chain_id, address],
        )
    )


def test_each_clone_has_its_own_domain(token, token2, chain):
    d1, d2 = signing.domain_of(token), signing.domain_of(token2)
    assert d1 == {
        "name": "Creator Coin",
        "version": "1",
        "chainId": chain.chain_id,
        "verifyingContract": token.address,
    }
    assert d2 == {
        "name": "Second Coin",
        "version": "1",
        "chainId": chain.chain_id,
        "verifyingContract": token2.address,
    }
    assert token.DOMAIN_SEPARATOR() == expected_separator("Creator Coin", chain.chain_id, token.address)
    assert token2.DOMAIN_SEPARATOR() == expected_separator("Second Coin", chain.chain_id, token2.address)
    assert token.DOMAIN_SEPARATOR() != token2.DOMAIN_SEPARATOR()
    fields, *_, salt, extensions = token.eip712Domain()
    assert fields == b"\x0f" and salt == b"\x00" * 32 and list(extensions) == []


def test_permit_on_a_clone(token, creator, stranger, chain):
    dl = deadline(chain)
    v, r, s = sign(creator, permit_message(token, creator, stranger, 5 * TOKEN, dl))
    tx = token.permit(creator, stranger, 5 * TOKEN, dl, v, r, s, sender=stranger)
    assert tx.events == [token.Approval(owner=creator, spender=stranger, value=5 * TOKEN)]
    assert token.allowance(creator, stranger) == 5 * TOKEN
    assert token.nonces(creator) == 1
    token.transferFrom(creator, stranger, 5 * TOKEN, sender=stranger)
    assert token.balanceOf(stranger) == 5 * TOKEN


def test_signature_for_one_clone_fails_on_another(token, token2, market, creator, stranger, chain):
    """A permit signed for token 2's domain does not verify on token 1 (same owner, nonce, values)."""
    market.buy(token2, TOKEN, MAX_UINT, deadline(chain), sender=creator)
    dl = deadline(chain)
    v, r, s = sign(creator, permit_message(token2, creator, stranger, TOKEN, dl, nonce=0))
    with ape.reverts(token.ERC2612InvalidSigner):
        token.permit(creator, stranger, TOKEN, dl, v, r, s, sender=stranger)
    token2.permit(creator, stranger, TOKEN, dl, v, r, s, sender=stranger)
    assert token2.allowance(creator, stranger) == TOKEN
    assert token.allowance(creator, stranger) == 0


def test_permit_expired_replayed_or_forged(token, creator, fan, stranger, chain):
    past = chain.pending_timestamp - 1
    v, r, s = sign(creator, permit_message(token, creator, stranger, 1, past))
    with ape.reverts(token.ERC2612ExpiredSignature, deadline=past):
        token.permit(creator, stranger, 1, past, v, r, s, sender=stranger)

    dl = deadline(chain)
    v, r, s = sign(creator, permit_message(token, creator, stranger, 1, dl))
    token.permit(creator, stranger, 1, dl, v, r, s, sender=stranger)
    with ape.reverts(token.ERC2612InvalidSigner):  # replay: the nonce moved on
        token.permit(creator, stranger, 1, dl, v, r, s, sender=stranger)

    v, r, s = sign(fan, permit_message(token, creator, stranger, 7, dl))
    with ape.reverts(token.ERC2612InvalidSigner, owner=creator):
        token.permit(creator, stranger, 7, dl, v, r, s, sender=stranger)
    assert token.allowance(creator, stranger) == 1


def test_permit_then_sell_through_the_market(token, market, usdc, creator, stranger, chain):
    """A holder can hand tokens over by signature alone; the receiver sells them."""
    dl = deadline(chain)
    v, r, s = sign(creator, permit_message(token, creator, stranger, 2 * TOKEN, dl))
    token.permit(creator, stranger, 2 * TOKEN, dl, v, r, s, sender=stranger)
    tx = token.transferFrom(creator, stranger, 2 * TOKEN, sender=stranger)
    assert tx.events == [transfer(token, creator, stranger, 2 * TOKEN)]
    net = market.quoteSell(token, 2 * TOKEN)[0]
    before = usdc.balanceOf(stranger)
    market.sell(token, 2 * TOKEN, net, deadline(chain), sender=stranger)
    assert usdc.balanceOf(stranger) == before + net
