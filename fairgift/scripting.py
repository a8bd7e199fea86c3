"""What the `ape run` scripts share: one-line errors, the signing account, output and progress."""

from __future__ import annotations

import functools
import logging
import re
import sys

import click

from fairgift.errors import FairGiftError, friendly


def clean_errors(fn):
    """Turn FairGiftError and Ape errors into one line on stderr and exit status 1."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from ape.exceptions import ApeException

        try:
            return fn(*args, **kwargs)
        except (click.exceptions.Exit, click.Abort, click.ClickException):
            raise
        except (FairGiftError, ApeException) as err:
            raise click.ClickException(friendly(err)) from err

    return wrapper


_CONNECTED = "fairgift.connected"
_NETWORK_ARG = "fairgift.network"
_NEGATIVE = re.compile(r"^-(\d|\.\d)")


@functools.cache
def command_class():
    """The click command class of FairGift's connected `ape run` commands (`cls=command_class()`).
    Built on first use, so importing this module does not import Ape's CLI."""
    from ape.cli import ConnectedProviderCommand

    class FairGiftCommand(ConnectedProviderCommand):
        """An `ape run` command connected to `--network` that ends every failure with one line:
        a negative number is named as such (click would read `-5` as an unknown option), and a
        network that cannot be reached is said in one line instead of Ape's traceback."""

        def parse_args(self, ctx, args):
            ctx.meta[_NETWORK_ARG] = network_arg(args)
            given = list(args)  # click's parser consumes `args` as it goes
            try:
                return super().parse_args(ctx, args)
            except click.NoSuchOption as err:
                if _NEGATIVE.match(err.option_name or ""):
                    token = next((a for a in given if a.startswith(err.option_name)), err.option_name)
                    raise click.ClickException(
                        f"{token} is negative: amounts, quantities and fees are positive (e.g. 5 or 2.50)"
                    ) from None
                raise

        def invoke(self, ctx):
            from ape.exceptions import ApeException

            try:
                return super().invoke(ctx)
            except (click.exceptions.Exit, click.Abort, click.ClickException):
                raise
            except Exception as err:
                if not ctx.meta.get(_CONNECTED):  # connecting: Ape and web3 raise many kinds
                    raise click.ClickException(unreachable(ctx.meta.get(_NETWORK_ARG), err)) from err
                if isinstance(err, ApeException):  # e.g. while disconnecting
                    raise click.ClickException(friendly(err)) from err
                raise  # a bug: keep its traceback

        def _invoke(self, ctx, provider=None):
            ctx.meta[_CONNECTED] = True
            return super()._invoke(ctx, provider=provider)

    return FairGiftCommand


def network_arg(args: list[str]) -> str | None:
    """The `--network` value given on the command line, if any."""
    for i, arg in enumerate(args):
        if arg == "--network" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--network="):
            return arg.split("=", 1)[1]
    return None


def unreachable(choice: str | None, err: BaseException) -> str:
    """One line for a failure to connect to (or leave) the network `choice` (e.g.
    "ethereum:local:node"; None: Ape's default)."""
    uri = None
    try:
        from ape import networks

        provider = networks.get_provider_from_choice(choice) if choice else None
        uri = getattr(provider, "uri", None)
    except Exception:  # noqa: BLE001 - only for the message: a choice Ape cannot resolve has no URI
        uri = None
    where = f" at {uri}" if isinstance(uri, str) and uri else ""
    first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return (
        f"cannot use {choice or 'the default network'}{where}: {first} "
        "(is the node running? `make node` starts one; --network picks another)"
    )


ACCOUNT_HELP = (
    "Who signs: an Ape account alias (`ape accounts list`) or TEST::N, a test account of a local "
    "chain. Default on a local network: TEST::0 (the command says so on stderr); required elsewhere."
)


def account_option():
    """`--account` as Ape's (an alias or TEST::N, no prompt), documented in `--help`, and an
    account that does not exist ends in one `Error:` line (click's usage error for a bad value
    would print the usage and three more lines)."""
    return click.option("--account", type=_account_type()(), help=ACCOUNT_HELP)


@functools.cache
def _account_type():
    from ape.cli.choices import AccountAliasPromptChoice

    class Account(AccountAliasPromptChoice):
        def fail(self, message, param=None, ctx=None):
            raise click.ClickException(
                f"--account: {str(message).rstrip('.')} (an alias from `ape accounts list`, or TEST::N "
                "for a test account of a local chain)"
            )

    return Account


def sender(account, network, purpose: str = "send transactions"):
    """The signing account: `--account`, or on a local network the first test account (said on
    stderr: nothing signs unannounced). A keystore account is unlocked without prompts when
    APE_ACCOUNTS_<alias>_PASSPHRASE is set."""
    from ape import accounts

    from fairgift.api.accounts import unlock
    from fairgift.deployments import is_local_network

    if account is None:
        if not is_local_network(network):
            raise FairGiftError(
                f"--account is required on {network.ecosystem.name}:{network.name} to {purpose}"
            )
        default = accounts.test_accounts[0]
        echo(
            f"no --account: using TEST::0 ({default.address}), this local chain's first test account",
            err=True,
        )
        return default
    return unlock(account)


def echo(text: str = "", err: bool = False):
    click.echo(text, err=err)
    sys.stdout.flush()


class _Echo(logging.Handler):
    def __init__(self, err: bool):
        super().__init__()
        self.err = err

    def emit(self, record: logging.LogRecord):
        echo(record.getMessage(), err=self.err)


def show_progress(level: int = logging.INFO, err: bool = False) -> None:
    """Print what the `fairgift` loggers report (approvals made, contracts deployed, the demo's
    story, the bench's progress) as plain lines, on stdout (or stderr with `err`)."""
    root = logging.getLogger("fairgift")
    root.handlers = [h for h in root.handlers if not isinstance(h, _Echo)]
    root.addHandler(_Echo(err))
    root.setLevel(level)
    root.propagate = False
