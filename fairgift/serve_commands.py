"""`ape run fairgift serve` and `ape run fairgift index`: thin commands over `fairgift.serve`
and `fairgift.index` (registered on the `fairgift` script's group by `register(cli)`)."""

from __future__ import annotations

import click
from ape.cli import network_option

from fairgift.scripting import clean_errors, command_class, echo


def in_force(**given):
    """The settings of the connected chain (its network profile, else local or generic defaults),
    options given (not None) winning: fairgift.chain_profile."""
    from ape import chain

    from fairgift.chain_profile import resolve

    return resolve(int(chain.chain_id), **given)


CONFIRMATIONS_HELP = (
    "Blocks before an event is final (default: the chain's network profile, e.g. 15 on Base; "
    "0 on a local chain; 12 elsewhere)."
)


def _options(fn):
    fn = click.option(
        "--db",
        "db_url",
        default=None,
        help="Database URL (default $FAIRGIFT_DB_URL, else SQLite in .local/).",
    )(fn)
    return fn


def _limit_options(fn):
    """The request-level limit (fairgift.web.guard.Limits); defaults there."""
    from fairgift.web.guard import Limits

    d = Limits()
    options = [
        ("--max-body-bytes", d.max_body_bytes, click.IntRange(256), "Refuse larger request bodies (413)."),
        ("--max-in-flight", d.max_in_flight, click.IntRange(1), "Requests served at once; more get 503."),
        ("--client-rate", d.client_rate, click.FloatRange(0.01), "Requests per second per client (429)..."),
        ("--client-burst", d.client_burst, click.IntRange(1), "...in bursts of at most N."),
        ("--global-rate", d.global_rate, click.FloatRange(0.01), "Requests per second for everyone (429)."),
        ("--max-clients", d.max_clients, click.IntRange(1), "Clients whose rate is remembered."),
        (
            "--trusted-proxies",
            d.trusted_proxies,
            click.IntRange(0, 10),
            "Reverse proxies in front (a client is then the address they put in X-Forwarded-For).",
        ),
    ]
    for name, default, kind, text in reversed(options):
        fn = click.option(name, default=default, show_default=True, type=kind, help=text)(fn)
    return fn


@click.command(
    "serve",
    cls=command_class(),
    short_help="Serve the JSON API, the fans' pages and the tip relayer (with the index bot).",
)
@network_option()
@_options
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--relayer-account", default=None, help="Ape account alias (or TEST::N) paying the gas; locally TEST::9."
)
@click.option(
    "--batch-size",
    default=None,
    type=click.IntRange(1, 500),
    help="Send a batch at N tips (default: the network profile's, else 50)...",
)
@click.option(
    "--batch-wait",
    default=2.0,
    show_default=True,
    type=click.FloatRange(0, 3600),
    help="...or after T seconds.",
)
@click.option("--max-queue", default=10_000, show_default=True, type=click.IntRange(1))
@click.option("--max-message-bytes", default=280, show_default=True, type=click.IntRange(0, 10_000))
@click.option(
    "--fan-rate", default=30, show_default=True, type=click.IntRange(1), help="Tips per fan per minute."
)
@click.option(
    "--min-relayed",
    default="0.25",
    show_default=True,
    help="Smallest relayed tip, in whole tokens (the jar's fee on it pays the relayer's gas).",
)
@click.option(
    "--permit-allowance",
    default="20",
    show_default=True,
    help="Whole tokens a gasless fan's permit allows the jar (capped at its balance; 0: just the "
    "tips queued); the rest pays the fan's later tips, each signed by the fan, without another permit.",
)
@click.option(
    "--fan-per-batch",
    default=1,
    show_default=True,
    type=click.IntRange(1, 50),
    help="Items of one fan per batch.",
)
@click.option(
    "--replace-after",
    default=90.0,
    show_default=True,
    type=click.FloatRange(0),
    help="Re-sign a transaction not mined after T seconds with fees 12.5%+ higher.",
)
@click.option("--no-relay", is_flag=True, help="Serve without relaying tips.")
@click.option("--no-index", is_flag=True, help="Do not run the index bot in this process.")
@click.option("--confirmations", default=None, type=click.IntRange(0), help=CONFIRMATIONS_HELP)
@click.option(
    "--relayer-confirmations",
    default=None,
    type=click.IntRange(0),
    help="Blocks on top of a batch before its tips count as landed (default: the network profile's, else 0).",
)
@click.option(
    "--priority-fee-gwei",
    default=None,
    help="The relayer's priority fee (default: the network profile's, else the node's fees).",
)
@click.option(
    "--gas-ceiling-gwei",
    default=None,
    help="The most the relayer pays per gas; above it, it waits (default: the network profile's, else none).",
)
@click.option("--access-log", is_flag=True, help="Log every request.")
@_limit_options
@clean_errors
def serve(
    network,
    db_url,
    host,
    port,
    relayer_account,
    batch_size,
    batch_wait,
    max_queue,
    max_message_bytes,
    fan_rate,
    min_relayed,
    permit_allowance,
    fan_per_batch,
    replace_after,
    no_relay,
    no_index,
    confirmations,
    relayer_confirmations,
    priority_fee_gwei,
    gas_ceiling_gwei,
    access_log,
    **limits,
):
    """Serve the JSON API (/api/...), the fans' pages and the gasless tip relayer on the connected
    chain's deployment, with the index bot following the chain in the same process."""
    from fairgift.logs import configure_logging
    from fairgift.relayer import RelayerConfig
    from fairgift.serve import serve as run
    from fairgift.service import Service, ServiceConfig
    from fairgift.web.guard import Limits

    configure_logging()
    from decimal import Decimal, InvalidOperation

    for value, hint in ((min_relayed, "--min-relayed"), (permit_allowance, "--permit-allowance")):
        try:
            if not Decimal(value) >= 0:
                raise InvalidOperation
        except InvalidOperation:
            raise click.BadParameter(f"{value!r} is not a number of tokens", param_hint=hint) from None
    settings = in_force(
        confirmations=confirmations,
        relayer_confirmations=relayer_confirmations,
        batch_size=batch_size,
        priority_fee_gwei=priority_fee_gwei,
        gas_ceiling_gwei=gas_ceiling_gwei,
    )
    echo(settings.describe())
    relayer = RelayerConfig(
        batch_size=settings.batch_size,
        batch_wait=batch_wait,
        max_queue=max_queue,
        max_message_bytes=max_message_bytes,
        fan_rate=fan_rate,
        min_relayed=min_relayed,
        permit_allowance=permit_allowance,
        fan_per_batch=fan_per_batch,
        replace_after=replace_after,
        confirmations=settings.relayer_confirmations,
        gas=settings.gas,
    )
    config = ServiceConfig(
        db_url=db_url,
        relay=not no_relay,
        index=not no_index,
        relayer_account=relayer_account,
        relayer=relayer,
        confirmations=settings.index_confirmations,
        limits=Limits(**limits),
        settings=settings,
    )
    service = Service.connect(config=config)
    from ape import chain

    from fairgift.node_transport import install

    transport = install(chain.provider)
    echo(transport.describe() if transport else "node transport: as Ape connected it")
    bot = None
    if service.index is not None:
        from fairgift.index.follow import build_bot

        bot = build_bot(service.index)
    run(service, host=host, port=port, bot=bot, access_log=access_log, echo=echo)


@click.command("index", cls=command_class(), short_help="Catch the index up with the chain once, then exit.")
@network_option()
@_options
@click.option("--confirmations", default=None, type=click.IntRange(0), help=CONFIRMATIONS_HELP)
@click.option(
    "--chunk-blocks",
    default=2_000,
    show_default=True,
    type=click.IntRange(1),
    help="Blocks per eth_getLogs read.",
)
@clean_errors
def index(network, db_url, confirmations, chunk_blocks):
    """Index every FairGift event of the connected chain's deployment up to the head (less
    --confirmations), then exit: for cron jobs and CI. The bot (`serve`, or `silverback run`)
    follows the chain live."""
    from fairgift.api import FairGift
    from fairgift.index import open_index

    settings = in_force(confirmations=confirmations)
    idx = open_index(
        FairGift.connect(), db_url, confirmations=settings.index_confirmations, chunk_blocks=chunk_blocks
    )
    echo(f"index confirmations {settings.index_confirmations}, from {settings.source}")
    before = idx.state()
    echo(f"index {idx.key} in {idx.db}: at block {before.block:,} ({before.events:,} events)")
    result = idx.sync(progress=echo)
    if result.reorg is not None:
        echo(f"the chain was reorganised from block {result.reorg:,}: re-indexed from there")
    after = idx.state()
    echo(
        f"caught up to block {after.block:,}: {result.events:,} new events ({after.events:,} in the index) "
        f"in {result.seconds:.2f} s ({result.rate:,.0f} events/s)"
    )


def register(cli: click.Group) -> None:
    cli.add_command(serve)
    cli.add_command(index)
