"""`ape console` extras: the FairGift deployment of the connected chain, ready to tip.

Preloaded names: `fg` (fairgift.api.FairGift), `jar`, `market`, `factory`, `usdc`, the modules
`fairgift`, `ledger`, `report`, and helpers `usd(units)` -> "2.50 USDC", `parse(text)` -> base
units, `fmt(units, decimals, symbol)`. Without a deployment on the chain, only the helpers load,
and `deploy()` creates one. Ape's `accounts[i]` is a keystore account; the chain's funded test
accounts are `accounts.test_accounts[i]` (the console lines of docs/using.md, run verbatim by
tests/tooling/test_tooling_cli_surface.py, use those). `make console` starts it with the
project's environment (nothing written to the home folder).
"""

import fairgift
from fairgift import events, ledger, report
from fairgift.amounts import format_amount as fmt
from fairgift.amounts import parse_amount
from fairgift.api import FairGift
from fairgift.errors import FairGiftError
from fairgift.index import current_source

events.set_index_finder(current_source)  # the console's readers use the index when it is current


def ape_init_extras(chain, accounts):
    extras = {
        "fairgift": fairgift,
        "ledger": ledger,
        "report": report,
        "fmt": fmt,
        "FairGift": FairGift,
        "FairGiftError": FairGiftError,
        "parse": lambda text, decimals=6, symbol="USDC": parse_amount(text, decimals, symbol),
        "usd": lambda units: fmt(units, 6, "USDC"),
    }

    def _usdc(fg):
        """The mock itself where this chain's record deployed it (`usdc.mint` on a local chain),
        else the IStablecoin view the tooling uses for any stablecoin."""
        if "MockUSDC" in fg.record.contracts:
            return fg.project.MockUSDC.at(fg.usdc.address, detect_proxy=False)
        return fg.usdc

    def deploy(**options):
        """Deploy (or reuse) FairGift on this chain with the first test account, and load it."""
        from fairgift.deploy import deploy as _deploy

        _deploy(accounts.test_accounts[0], **options)
        load()

    def load():
        fg = FairGift.connect()
        namespace = {"fg": fg, "jar": fg.jar, "market": fg.market, "factory": fg.factory, "usdc": _usdc(fg)}
        namespace["usd"] = fg.usd
        namespace["parse"] = fg.parse_usd
        globals().update(namespace)
        try:  # make them visible in the running console too
            import IPython

            ip = IPython.get_ipython()
            if ip is not None:
                ip.user_ns.update(namespace)
        except ImportError:
            pass
        print(f"FairGift on chain {fg.record.chain_id}: jar {fg.jar.address}, market {fg.market.address}")
        return namespace

    extras["deploy"] = deploy
    extras["load_fairgift"] = load
    try:
        fg = FairGift.connect()
    except FairGiftError as err:
        print(f"FairGift: {err} (call deploy() to create one)")
        return extras
    extras.update(
        fg=fg,
        jar=fg.jar,
        market=fg.market,
        factory=fg.factory,
        usdc=_usdc(fg),
        usd=fg.usd,
        parse=fg.parse_usd,
    )
    print(
        f"FairGift on chain {fg.record.chain_id}: fg, jar, market, factory, usdc; usd(units), parse('2.50')"
    )
    return extras
