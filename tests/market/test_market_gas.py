"""Gas of launch, buy and sell (issue 7 targets), printed; asserted only where reached."""

from .conftest import CREATOR_BPS, MAX_UINT, TOKEN, deadline


def test_gas(project, market, usdc, creator, creator2, fan, alice, traders, chain):
    bare = market.launch("Alice Fan Token", "ALICE", CREATOR_BPS, 0, 0, sender=creator)
    with_buy = market.launch("Bob Token", "BOB", CREATOR_BPS, 10 * TOKEN, MAX_UINT, sender=creator2)
    token = project.CreatorToken.at(bare.return_value)
    market.buy(token, 5 * TOKEN, MAX_UINT, deadline(chain), sender=fan)
    market.buy(token, 5 * TOKEN, MAX_UINT, deadline(chain), sender=alice)
    warm_buy = market.buy(token, 3 * TOKEN, MAX_UINT, deadline(chain), sender=fan)
    sell = market.sell(token, 2 * TOKEN, 0, deadline(chain), sender=fan)
    print(
        f"\ngas: launch {bare.gas_used}, launch+buy {with_buy.gas_used}, "
        f"warm buy {warm_buy.gas_used}, sell {sell.gas_used}"
    )
    assert bare.gas_used > 0

