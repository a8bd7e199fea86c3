"""`ape run fairgift <command>`: operate the deployment of the connected chain.

Amounts are written as people write them (`5`, `2.50`, `2.50 USDC`); accounts as an Ape alias,
`TEST::N` or an address. Every command takes `--network` and (except status/ledger) `--account`.
"""

import functools
from pathlib import Path

import click
from ape.cli import network_option

from fairgift import events, report
from fairgift.api import DEFAULT_SLIPPAGE, FairGift
from fairgift.errors import FairGiftError
from fairgift.index import current_source
from fairgift.safe import cli as safe_cli
from fairgift.safe import owner_calls
from fairgift.scripting import account_option, clean_errors, command_class, echo, sender, show_progress

# Every reader of these commands (tips, fees, ledger, balances, the pages of `serve`) reads the
# index when it is current for the deployment, else scans the chain.
events.set_index_finder(current_source)

# --slippage of buy/sell and their quotes (fairgift.api.market.trade_bound, fairgift.sandwich).
BUY_SLIPPAGE_HELP = (
    "Tolerance over the quote, e.g. 0.5%. Default 'safe': the widest limit at which no sandwich pays "
    "(often the exact quote), at most 1%. A wider one is sent as asked; the output says what it exposes."
)
SELL_SLIPPAGE_HELP = (
    "Tolerance under the quote, e.g. 0.5%. Default 'safe': the highest floor at which no sandwich "
    "pays (often the exact quote), at most 1% under it. A wider one is sent as asked; the output says "
    "what it exposes."
)


@click.group(short_help="Operate FairGift: tip, gift, trade creator tokens, ledger")
def cli():
    """Operate the FairGift deployment of the connected chain (deployments/<chain_id>.json, checked
    against the chain's genesis block)."""


def command(name, help_text, group=None):
    def decorator(fn):
        fn = clean_errors(_with_progress(fn))
        fn = network_option()(fn)
        return (group or cli).command(name, cls=command_class(), help=help_text, short_help=help_text)(fn)

    return decorator


def _with_progress(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        show_progress()  # approvals made on the way are said before the summary
        return fn(*args, **kwargs)

    return wrapper


def with_account(fn):
    return account_option()(fn)


@command("status", "Addresses, fees in force, pending changes, caps, treasury, tokens, gifts.")
def status(network):
    echo(FairGift.connect().status_text())


@command("tip", "Tip a creator: tip CREATOR AMOUNT [--message TEXT].")
@with_account
@click.argument("creator")
@click.argument("amount")
@click.option("--message", "-m", default="", help="A message for the creator.")
@click.option("--token", help="Tip in this allow-listed token (default: the stablecoin).")
@click.option("--no-approve", is_flag=True, help="Fail instead of approving the jar.")
def tip(network, account, creator, amount, message, token, no_approve):
    fg = FairGift.connect()
    fan = sender(account, network, "tip")
    echo(fg.tip(fan, creator, amount, message, token=token, approve=not no_approve).summary)


@command("gift", "Send a gift from the catalogue: gift CREATOR GIFT [--quantity N].")
@with_account
@click.argument("creator")
@click.argument("gift")
@click.option("--quantity", "-q", default="1", help="How many.")
@click.option("--message", "-m", default="")
@click.option("--token", help="Pay in this allow-listed token (default: the stablecoin).")
@click.option("--no-approve", is_flag=True, help="Fail instead of approving the jar.")
def gift(network, account, creator, gift, quantity, message, token, no_approve):
    fg = FairGift.connect()
    fan = sender(account, network, "send a gift")
    echo(fg.gift(fan, creator, gift, quantity, message, token=token, approve=not no_approve).summary)


@command("withdraw", "Withdraw tip-jar credit and market fees to the payout address.")
@with_account
@click.option("--for", "for_", help="Push someone else's credit to their payout address.")
@click.option("--token", help="Only this token from the jar (default: the stablecoin).")
def withdraw(network, account, for_, token):
    fg = FairGift.connect()
    who = sender(account, network, "withdraw")
    echo(fg.withdraw(who, account=for_, token=token).summary)


@command("schedule-fee", "Change a fee (bps or %): lower at once, higher after the 7-day delay.")
@with_account
@click.argument("fee")
@click.option(
    "--target",
    type=click.Choice(["jar", "protocol", "creator"]),
    default="jar",
    show_default=True,
    help="The tip jar's fee, the market's protocol fee, or your token's creator fee.",
)
@click.option("--safe", metavar="ADDRESS", help=safe_cli.SAFE_HELP)
def schedule_fee(network, account, fee, target, safe):
    fg = FairGift.connect()
    if safe:  # jar or protocol: proposed to the Safe that owns the contract (fairgift.safe)
        echo(safe_cli.propose_text(owner_calls.schedule_fee(fg, fee, target), safe, account, network))
        return
    who = sender(account, network, "change a fee")
    echo(fg.schedule_fee(who, fee, target=target).summary)


@command("launch", "Launch your creator token: launch NAME SYMBOL [--initial-buy N].")
@with_account
@click.argument("name")
@click.argument("symbol")
@click.option("--creator-fee", default=None, help="Your fee on trades, bps or % (default 5%, cap 10%).")
@click.option("--initial-buy", default="0", help="Tokens you buy first, in the launch transaction.")
@click.option(
    "--slippage",
    default=DEFAULT_SLIPPAGE,
    show_default=True,
    help="Tolerance over the first buy's quote; default 'safe': the exact quote (nobody trades before it).",
)
@click.option("--keep-allowance", is_flag=True, help="Leave what the limit did not spend approved.")
def launch(network, account, name, symbol, creator_fee, initial_buy, slippage, keep_allowance):
    fg = FairGift.connect()
    who = sender(account, network, "launch")
    result = fg.launch(who, name, symbol, creator_fee, initial_buy, slippage, keep_allowance=keep_allowance)
    echo(result.summary)


@command("buy", "Buy a creator's tokens: buy CREATOR|TOKEN|SYMBOL AMOUNT (quoted first).")
@with_account
@click.argument("token")
@click.argument("amount")
@click.option("--slippage", default=DEFAULT_SLIPPAGE, show_default=True, help=BUY_SLIPPAGE_HELP)
@click.option("--max-cost", default=None, help="An explicit limit instead, e.g. 12.50.")
@click.option(
    "--keep-allowance",
    is_flag=True,
    help="Leave what the limit did not spend approved to the market (default: set it back).",
)
def buy(network, account, token, amount, slippage, max_cost, keep_allowance):
    fg = FairGift.connect()
    who = sender(account, network, "buy")
    result = fg.buy(who, token, amount, slippage=slippage, max_cost=max_cost, keep_allowance=keep_allowance)
    echo(result.summary)


@command("sell", "Sell creator tokens back to the curve: sell CREATOR|TOKEN|SYMBOL AMOUNT.")
@with_account
@click.argument("token")
@click.argument("amount")
@click.option("--slippage", default=DEFAULT_SLIPPAGE, show_default=True, help=SELL_SLIPPAGE_HELP)
@click.option("--min-proceeds", default=None, help="An explicit floor instead, e.g. 10.")
def sell(network, account, token, amount, slippage, min_proceeds):
    fg = FairGift.connect()
    who = sender(account, network, "sell")
    echo(fg.sell(who, token, amount, slippage=slippage, min_proceeds=min_proceeds).summary)


@command("split", "Deploy a revenue split: split PAYEE=SHARE... (shares in bps or %, summing to 100%).")
@with_account
@click.argument("shares", nargs=-1, required=True)
@click.option("--set-payout", is_flag=True, help="Point your tip-jar and market payouts at the split.")
def split(network, account, shares, set_payout):
    fg = FairGift.connect()
    who = sender(account, network, "create a split")
    parsed = []  # pairs, not a dict: a payee named twice is refused, never merged
    for item in shares:
        payee, sep, share = item.rpartition("=")
        if not sep or not payee or not share:
            raise FairGiftError(f"{item!r} is not PAYEE=SHARE (e.g. 0xabc…=60% or TEST::3=4000)")
        parsed.append((payee, share))
    echo(fg.split(who, parsed, set_payout=set_payout).summary)


@command("mint", "Local networks: mint test MockUSDC (the deployer owns it): mint TO AMOUNT.")
@with_account
@click.argument("to")
@click.argument("amount")
def mint(network, account, to, amount):
    fg = FairGift.connect()
    echo(fg.mint(sender(account, network, "mint"), to, amount).summary)


@command(
    "ledger",
    "The creators' ledger from events; CSV, platform comparison and charts in out/<chain id>-<hash>/.",
)
@click.option(
    "--out",
    "out_dir",
    default="out",
    show_default=True,
    type=click.Path(file_okay=False),
    help="The outputs go to a folder of their own in it, one per deployment: <out>/<chain id>-<hash>/.",
)
@click.option(
    "--report/--no-report", "with_report", default=True, help="Also the platform comparison and the charts."
)
def ledger(network, out_dir, with_report):
    fg = FairGift.connect()
    echo(report.ledger_and_report(fg, Path(out_dir), with_report=with_report).text)


# ------------------------------------------------------------------------------ reading the record


@command("tips", "Tips and gifts received, newest first: tips [CREATOR] [--limit N] [--csv].")
@click.argument("creator", required=False)
@click.option("--limit", type=int, default=None, help="Only the newest N.")
@click.option(
    "--csv",
    "csv_path",
    is_flag=False,
    flag_value="out/tips.csv",
    default=None,
    help="Also write the rows as CSV (default file: out/tips.csv).",
)
@click.option(
    "--width",
    "message_width",
    type=click.IntRange(8, 400),
    default=40,
    show_default=True,
    help="Columns of a message in the table (whole in the CSV).",
)
def tips(network, creator, limit, csv_path, message_width):
    fg = FairGift.connect()
    rows = fg.tips(creator, limit=limit)
    echo(fg.tips_text(rows, creator, message_width=message_width))
    if csv_path:
        echo(f"wrote {len(rows)} row(s) to {fg.write_tips_csv(rows, csv_path)}")


@command(
    "fees", "Every fee's full history (tip jar, protocol, each creator token); --at BLOCK: the fees then."
)
@click.option("--at", "at_block", type=int, default=None, help="The fees in force at the end of this block.")
def fees(network, at_block):
    echo(FairGift.connect().fee_history_text(at=at_block))


@command("balance", "What an account holds: stablecoins, creator tokens, credits, approvals.")
@with_account
@click.argument("who", required=False)
def balance(network, account, who):
    fg = FairGift.connect()
    if who is None:
        who = sender(account, network, "show a balance")
    echo(fg.balance_text(who))


@click.group("quote", short_help="What a tip, gift, buy or sell would cost or pay; sends nothing.")
def quote():
    """What an operation would cost or pay now, its fees, and the limit a trade would be sent with
    (its default tolerance). Nothing is sent."""


cli.add_command(quote)


@command("tip", "quote tip AMOUNT [--token T]: the fee and what the creator gets.", group=quote)
@click.argument("amount")
@click.option("--token", help="An allow-listed token (default: the stablecoin).")
def quote_tip(network, amount, token):
    echo(FairGift.connect().quote_tip(amount, token=token).summary)


@command("gift", "quote gift GIFT [--quantity N]: its price, the fee, what the creator gets.", group=quote)
@click.argument("gift")
@click.option("--quantity", "-q", default="1")
@click.option("--token", help="An allow-listed token (default: the stablecoin).")
def quote_gift(network, gift, quantity, token):
    echo(FairGift.connect().quote_gift(gift, quantity, token=token).summary)


@command("buy", "quote buy CREATOR|TOKEN|SYMBOL AMOUNT: cost, fees and the maxCost sent.", group=quote)
@click.argument("token")
@click.argument("amount")
@click.option("--slippage", default=DEFAULT_SLIPPAGE, show_default=True, help=BUY_SLIPPAGE_HELP)
def quote_buy(network, token, amount, slippage):
    echo(FairGift.connect().quote_buy(token, amount, slippage=slippage).summary)


@command(
    "sell", "quote sell CREATOR|TOKEN|SYMBOL AMOUNT: proceeds, fees and the minProceeds sent.", group=quote
)
@click.argument("token")
@click.argument("amount")
@click.option("--slippage", default=DEFAULT_SLIPPAGE, show_default=True, help=SELL_SLIPPAGE_HELP)
def quote_sell(network, token, amount, slippage):
    echo(FairGift.connect().quote_sell(token, amount, slippage=slippage).summary)


# ------------------------------------------------------------------------------ more operations


@command("release", "A split payee's money: release [--split ADDRESS] [--payee WHO] [--token T].")
@with_account
@click.option("--split", "split_address", help="This split only (default: every split that pays the payee).")
@click.option("--payee", help="Release for this payee (anyone may; default: the signing account).")
@click.option("--token", help="Which token (default: the stablecoin).")
def release(network, account, split_address, payee, token):
    fg = FairGift.connect()
    who = sender(account, network, "release")
    echo(fg.release(who, split=split_address, token=token, payee=payee).summary)


@command(
    "cancel-fee", "Cancel a pending fee rise (jar or protocol: the owner; creator: the token's creator)."
)
@with_account
@click.option("--target", type=click.Choice(["jar", "protocol", "creator"]), default="jar", show_default=True)
@click.option("--safe", metavar="ADDRESS", help=safe_cli.SAFE_HELP)
def cancel_fee(network, account, target, safe):
    fg = FairGift.connect()
    if safe:
        echo(safe_cli.propose_text(owner_calls.cancel_fee(fg, target), safe, account, network))
        return
    who = sender(account, network, "cancel a fee rise")
    echo(fg.cancel_fee(who, target=target).summary)


@command(
    "creators",
    "Names for creator pages (/c/NAME): creators [list | add NAME ADDRESS [--label TEXT] | remove NAME].",
)
@click.argument("action", type=click.Choice(["list", "add", "remove"]), default="list", required=False)
@click.argument("args", nargs=-1)
@click.option("--label", help="The name the page shows (default: NAME).")
def creators(network, action, args, label):
    from fairgift.creators import Catalogue

    fg = FairGift.connect()
    catalogue = Catalogue.for_record(fg.record, fg.store)
    wanted = {"list": 0, "add": 2, "remove": 1}[action]
    if len(args) != wanted:
        usage = {
            "list": "creators list",
            "add": "creators add NAME ADDRESS",
            "remove": "creators remove NAME",
        }
        raise FairGiftError(f"usage: {usage[action]}")
    if action == "add":
        entry = catalogue.add(args[0], args[1], label)
        echo(f"added {entry.name} -> {entry.address} ({entry.label}): its page is /c/{entry.name}")
    elif action == "remove":
        entry = catalogue.remove(args[0])
        echo(f"removed {entry.name} ({entry.address})")
    entries = catalogue.all()
    echo(f"{len(entries)} creator(s) in {catalogue.path}")
    for entry in entries:
        echo(f"  /c/{entry.name:<20} {entry.address}  {entry.label}")


# `serve` and `index` (the services: fairgift/serve_commands.py)
from fairgift.serve_commands import register as _register_services  # noqa: E402

_register_services(cli)
safe_cli.register(cli)  # `safe …` and `owner …`: a Safe as owner (fairgift/safe/)
