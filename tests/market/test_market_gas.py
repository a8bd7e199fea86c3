"""Gas of launch, buy and sell against issue 7's targets, printed (run with -s to see the table).

Measured on the test provider with the project's compiler settings. Warm = the trader already holds
the token and USDC, has an unlimited USDC approval of the market, and the creator's and treasury's
credits are already non-zero. Slippage bounds are the exact quotes, as a wallet would send them.
"""

from fairgift.bench.targets import BUY_WARM_GAS, HISTORY_TOLERANCE, LAUNCH_GAS, SELL_WARM_GAS
from tests.constants import MAX_UINT, TOKEN

from .conftest import CREATOR_BPS, deadline

TARGETS = {"launch": LAUNCH_GAS, "buy (warm)": BUY_WARM_GAS, "sell": SELL_WARM_GAS}


def test_gas(project, market, usdc, creator, creator2, fan, fan2, traders, chain):
    launch = market.launch("Alice Fan Token", "ALICE", CREATOR_BPS, 0, 0, sender=creator)
    launch_buy = market.launch("Bob Token", "BOB", CREATOR_BPS, 10 * TOKEN, 10**12, sender=creator2)
    token = project.CreatorToken.at(launch.return_value)

    first_buy = market.buy(token, 5 * TOKEN, MAX_UINT, deadline(chain), sender=fan)  # cold holder
    market.buy(token, 5 * TOKEN, MAX_UINT, deadline(chain), sender=fan2)
    total = market.quoteBuy(token, 3 * TOKEN)[0]
    warm_buy = market.buy(token, 3 * TOKEN, total, deadline(chain), sender=fan)
    net = market.quoteSell(token, 2 * TOKEN)[0]
    sell = market.sell(token, 2 * TOKEN, net, deadline(chain), sender=fan)

    # The same at a supply of 10^6 whole tokens: gas does not depend on the supply.
    market.buy(token, 10**6 * TOKEN, MAX_UINT, deadline(chain), sender=fan2)
    total = market.quoteBuy(token, 3 * TOKEN)[0]
    big_buy = market.buy(token, 3 * TOKEN, total, deadline(chain), sender=fan)
    net = market.quoteSell(token, 2 * TOKEN)[0]
    big_sell = market.sell(token, 2 * TOKEN, net, deadline(chain), sender=fan)

    withdraw = market.withdraw(sender=creator)

    rows = {
        "launch": launch.gas_used,
        "launch + initial buy": launch_buy.gas_used,
        "buy (new holder)": first_buy.gas_used,
        "buy (warm)": warm_buy.gas_used,
        "sell": sell.gas_used,
        "buy (warm) at 10^6 supply": big_buy.gas_used,
        "sell at 10^6 supply": big_sell.gas_used,
        "withdraw": withdraw.gas_used,
    }
    print("\ncreator market gas:")
    for name, gas in rows.items():
        target = TARGETS.get(name)
        print(f"  {name:28} {gas:>8,}" + (f"   (target <= {target:,})" if target else ""))
    for name, target in TARGETS.items():
        assert rows[name] <= target, f"{name}: {rows[name]} gas, target {target}"
    assert abs(big_buy.gas_used - warm_buy.gas_used) <= HISTORY_TOLERANCE
    assert abs(big_sell.gas_used - sell.gas_used) <= HISTORY_TOLERANCE
