"""Signing helpers for the services tests: fans sign tips and permits like a wallet would."""

from __future__ import annotations

from eth_account import Account
from eth_account.messages import encode_typed_data

from fairgift import eip712
from tests.constants import MAX_UINT, USDC


def key_of(account) -> str:
    """The private key of an Ape test account or an eth_account LocalAccount."""
    key = getattr(account, "private_key", None) or account.key
    return key if isinstance(key, str) else "0x" + bytes(key).hex()


def sign_typed(account, typed: dict) -> str:
    """`eth_signTypedData_v4` as a wallet answers it: 0x + r + s + v (65 bytes)."""
    signed = Account.sign_message(encode_typed_data(full_message=typed), key_of(account))
    return "0x" + bytes(signed.signature).hex()


def tip_typed(domain: dict, fan, creator, token, amount, message, nonce, deadline) -> dict:
    message = {
        "fan": str(fan),
        "creator": str(creator),
        "token": str(token),
        "amount": int(amount),
        "message": message,
        "nonce": int(nonce),
        "deadline": int(deadline),
    }
    return eip712.typed_data(domain, eip712.TIP, message)


def tip_body(
    account, domain, creator, token, amount, message="", nonce=0, deadline=2**40, chain_id=None, permit=None
):
    """The JSON body of `POST /api/tips` for a tip signed by `account`."""
    fan = account.address
    typed = tip_typed(domain, fan, creator, token, amount, message, nonce, deadline)
    return {
        "chainId": chain_id if chain_id is not None else domain["chainId"],
        "jar": domain["verifyingContract"],
        "tip": {
            "fan": str(fan),
            "creator": str(creator),
            "token": str(token),
            "amount": str(amount),
            "message": message,
            "nonce": str(nonce),
            "deadline": str(deadline),
        },
        "signature": sign_typed(account, typed),
        **({"permit": permit} if permit else {}),
    }


def permit_body(account, token_domain, spender, value, nonce, deadline) -> dict:
    message = {
        "owner": str(account.address),
        "spender": str(spender),
        "value": int(value),
        "nonce": int(nonce),
        "deadline": int(deadline),
    }
    typed = eip712.typed_data(token_domain, eip712.PERMIT, message)
    return {"value": str(value), "deadline": str(deadline), "signature": sign_typed(account, typed)}


def activity(fg, project, owner, fans, creators, rounds: int = 2):
    """Every kind of FairGift event: tips and gifts with messages, a launch and trades, fee
    schedules, a split and its release, payouts, withdrawals. `fans`/`creators`: Ape accounts;
    each creator launches at most once per market (skipped when already launched)."""
    from ape import chain

    mock = project.MockUSDC.at(fg.usdc.address)
    jar, market, usdc = fg.jar, fg.market, fg.usdc.address
    for fan in fans:
        mock.mint(fan, 10_000 * USDC, sender=owner)
        mock.approve(jar, MAX_UINT, sender=fan)
        mock.approve(market, MAX_UINT, sender=fan)
    for r in range(rounds):
        for i, fan in enumerate(fans):
            creator = creators[(i + r) % len(creators)]
            jar.tip(creator, usdc, (r + 1) * USDC + i, f"round {r} from fan {i} 🎉", sender=fan)
        price = int(jar.giftAmount(usdc, 1, 3))
        jar.sendGift(creators[0], usdc, 1, 3, price, "roses", sender=fans[0])
    for creator in creators:
        token = market.predictToken(creator)
        if not chain.provider.get_code(token):
            market.launch(f"Token {creator.address[:6]}", "TK", 300, 0, 0, sender=creator)
        deadline = chain.pending_timestamp + 3600
        amount = 10**18
        cost = int(market.quoteBuy(token, amount)[0])
        market.buy(token, amount, cost, deadline, sender=fans[0])
        market.sell(token, amount // 2, 0, deadline, sender=fans[0])
        market.scheduleCreatorFee(token, 200, sender=creator)  # lowered at once: FeeChanged-style event
    jar.scheduleFee(int(jar.feeBps()) + 10, sender=owner)  # a rise: scheduled
    jar.cancelFee(sender=owner)
    receipt = fg.factory.createSplit([creators[0], owner], [6000, 4000], sender=creators[0])
    split = project.RevenueSplit.at(receipt.events[0].split) if receipt.events else None
    jar.setPayout(split, sender=creators[0])
    jar.withdraw(usdc, sender=creators[0])
    split.release(usdc, owner, sender=owner)
    market.withdraw(sender=creators[0])
    return split


def send_as(fan, to, data, status: int = 1) -> dict:
    """`fan` (an eth_account key with a little ether) sends a transaction it signs itself, with its
    own gas limit (no estimate, so a reverting one is mined too); its receipt must have `status`."""
    from ape import chain

    web3 = chain.provider.web3
    tx = {
        "to": str(to),
        "data": "0x" + bytes(data).hex(),
        "nonce": web3.eth.get_transaction_count(fan.address),
        "gas": 200_000,
        "maxFeePerGas": 10**11,
        "maxPriorityFeePerGas": 10**9,
        "chainId": web3.eth.chain_id,
    }
    signed = fan.sign_transaction(tx)
    receipt = web3.eth.wait_for_transaction_receipt(web3.eth.send_raw_transaction(signed.raw_transaction))
    assert receipt["status"] == status
    return receipt


def approve_jar(fg, fan, amount):
    """`fan` approves the jar for `amount` of the stablecoin."""
    return send_as(fan, fg.usdc.address, fg.usdc.approve.encode_input(fg.jar.address, amount))


def check_u256_sum(db):
    """`u256_sum` on `db` adds uint256 values (stored as decimal text) exactly."""
    import sqlalchemy as sa

    from fairgift.db import u256_sum
    from fairgift.index import schema
    from fairgift.index.schema import index_tips

    db.create(schema.SCHEMA)  # the index's tables, as `Index` creates them
    values = [2**256 - 1, 2**255 + 3, 10**70, 1, 2**63]
    with db.write() as conn:
        conn.execute(
            index_tips.insert(),
            [
                dict(deployment="u256", block=i, log_index=0, creator="c", token="t", fan="f", gift_id="0",
                     amount=str(v), fee=str(v // 7), address="j", tx="0x", timestamp=0, args="{}")
                for i, v in enumerate(values)
            ],
        )  # fmt: skip
    t = index_tips.c
    with db.read() as conn:
        amount, fee = conn.execute(
            sa.select(u256_sum(t.amount), u256_sum(t.fee)).where(t.deployment == "u256")
        ).one()
    assert (int(amount), int(fee)) == (sum(values), sum(v // 7 for v in values))
