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
_NEGATIVE = re.compile(r"^-(\d|\.\d)")


def _connected_command_class():
    from ape.cli import ConnectedProviderCommand

    class FairGiftCommand(ConnectedProviderCommand):
        """An `ape run` command connected to `--network` that ends every failure with one line:
        a negative number is named as such (click would read `-5` as an unknown option), and a
        network that cannot be reached is said in one line instead of Ape's traceback."""

        def parse_args(self, ctx, args):
            try:
                return super().parse_args(ctx, args)
            except click.NoSuchOption as err:
                if _NEGATIVE.match(err.option_name or ""):
                    token = next((a for a in args if a.startswith(err.option_name)), err.option_name)
                    raise click.ClickException(
                        f"{token} is negative: amounts, quantities and fees are positive (e.g. 5 or 2.50)"
                    ) from None
                raise

        def invoke(self, ctx):
            from ape.exceptions import ApeException

            provider = ctx.params.get("network")
            try:
                return super().invoke(ctx)
            except (click.exceptions.Exit, click.Abort, click.ClickException):
                raise
            except Exception as err:
                if not ctx.meta.get(_CONNECTED):  # connecting: Ape and web3 raise many kinds
                    raise click.ClickException(unreachable(provider, err)) from err
                if isinstance(err, ApeException):  # e.g. while disconnecting
                    raise click.ClickException(friendly(err)) from err
                raise  # a bug: keep its traceback

        def _invoke(self, ctx, provider=None):
            ctx.meta[_CONNECTED] = True
            return super()._invoke(ctx, provider=provider)

    return FairGiftCommand


def command_class():
    """The click command class for FairGift's connected `ape run` commands."""
    global _COMMAND_CLASS
    if _COMMAND_CLASS is None:
        _COMMAND_CLASS = _connected_command_class()
    return _COMMAND_CLASS


_COMMAND_CLASS = None


def unreachable(provider, err: BaseException) -> str:
    """One line for a failure to connect to (or leave) the network `provider` names."""
    choice = getattr(provider, "network_choice", None) or "the network"
    uri = None
    try:
        uri = getattr(provider, "uri", None) or getattr(provider, "http_uri", None)
    except Exception:  # noqa: BLE001 - a provider without a URI configured
        uri = None
    where = f" at {uri}" if isinstance(uri, str) and uri else ""
    first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return (
        f"cannot use {choice}{where}: {first} "
        "(is the node running? `make node` starts one; --network picks another)"
    )


def sender(account, network, purpose: str = "send transactions"):
    """The signing account: `--account`, or on a local network the first test account. A
    keystore account is unlocked without prompts when APE_ACCOUNTS_<alias>_PASSPHRASE is set."""
    from ape import accounts

    from fairgift.api.accounts import unlock
    from fairgift.deployments import is_local_network

    if account is None:
        if not is_local_network(network):
            raise FairGiftError(
                f"--account is required on {network.ecosystem.name}:{network.name} to {purpose}"
            )
        return accounts.test_accounts[0]
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
