"""tipWithAuthorization: EIP-3009 receive authorization bound to creator and message by its nonce."""

import ape
from jar_helpers import FEE_BPS

from fairgift.fees import split
from fairgift.signing import authorization_message, random_salt, sign, tip_authorization_nonce
from tests.constants import USDC


def _signed(usdc, jar, fan, creator, amount, message, chain, valid_before=None, salt=None):
    salt = salt or random_salt()
    valid_before = valid_before if valid_before is not None else chain.pending_timestamp + 3600
    nonce = tip_authorization_nonce(creator, message, salt)
    v, r, s = sign(fan, authorization_message(usdc, fan, jar, amount, 0, valid_before, nonce))
    return dict(valid_before=valid_before, salt=salt, nonce=nonce, v=v, r=r, s=s)


def _call(jar, usdc, fan, creator, amount, message, a, relayer):
    return jar.tipWithAuthorization(
        fan,
        creator,
        usdc,
        amount,
        message,
        0,
        a["valid_before"],
        a["salt"],
        a["v"],
        a["r"],
        a["s"],
        sender=relayer,
    )


def test_valid_relayed(jar, usdc, fresh_fan, creator, relayer, chain):
    a = _signed(usdc, jar, fresh_fan, creator, 4 * USDC, "from afar", chain)
    assert jar.tipAuthorizationNonce(creator, "from afar", a["salt"]) == a["nonce"]
    before = usdc.balanceOf(fresh_fan)
    tx = _call(jar, usdc, fresh_fan, creator, 4 * USDC, "from afar", a, relayer)
    fee, net = split(4 * USDC, FEE_BPS)
    assert tx.return_value == fee
    assert (
        jar.Tipped(
            fan=fresh_fan,
            creator=creator,
            token=usdc,
            amount=4 * USDC,
            fee=fee,
            giftId=0,
            message="from afar",
        )
        in tx.events
    )
    assert usdc.AuthorizationUsed(authorizer=fresh_fan, nonce=a["nonce"]) in tx.events
    assert jar.balanceOf(creator, usdc) == net
    assert usdc.balanceOf(fresh_fan) == before - 4 * USDC
    assert usdc.authorizationState(fresh_fan, a["nonce"])


def test_redirected_or_altered(jar, usdc, fresh_fan, creator, creator2, relayer, chain):
    a = _signed(usdc, jar, fresh_fan, creator, 4 * USDC, "hi", chain)
    with ape.reverts(usdc.InvalidAuthorizationSigner):
        _call(jar, usdc, fresh_fan, creator2, 4 * USDC, "hi", a, relayer)  # another creator
    with ape.reverts(usdc.InvalidAuthorizationSigner):
        _call(jar, usdc, fresh_fan, creator, 4 * USDC, "hi!", a, relayer)  # another message
    with ape.reverts(usdc.InvalidAuthorizationSigner):
        _call(jar, usdc, fresh_fan, creator, 5 * USDC, "hi", a, relayer)  # another amount
    assert jar.balanceOf(creator2, usdc) == 0
    assert jar.balanceOf(creator, usdc) == 0


def test_replayed(jar, usdc, fresh_fan, creator, relayer, chain):
    a = _signed(usdc, jar, fresh_fan, creator, 1 * USDC, "once", chain)
    _call(jar, usdc, fresh_fan, creator, 1 * USDC, "once", a, relayer)
    with ape.reverts(usdc.AuthorizationAlreadyUsed, authorizer=fresh_fan, nonce=a["nonce"]):
        _call(jar, usdc, fresh_fan, creator, 1 * USDC, "once", a, relayer)
    assert jar.balanceOf(creator, usdc) == split(1 * USDC, FEE_BPS)[1]


def test_expired(jar, usdc, fresh_fan, creator, relayer, chain):
    valid_before = chain.pending_timestamp + 10
    a = _signed(usdc, jar, fresh_fan, creator, 1 * USDC, "late", chain, valid_before=valid_before)
    chain.pending_timestamp = valid_before
    with ape.reverts(usdc.AuthorizationExpired, validBefore=valid_before):
        _call(jar, usdc, fresh_fan, creator, 1 * USDC, "late", a, relayer)


def test_checks_before_authorization(jar, usdc, dai, fresh_fan, creator, relayer, chain):
    a = _signed(usdc, jar, fresh_fan, creator, 1 * USDC, "x", chain)
    with ape.reverts(jar.TokenNotAllowed, token=dai):
        _call(jar, dai, fresh_fan, creator, 1 * USDC, "x", a, relayer)
    with ape.reverts(jar.ZeroAmount):
        _call(jar, usdc, fresh_fan, creator, 0, "x", a, relayer)
