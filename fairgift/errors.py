"""One error type for every bad input, and contract reverts decoded into one-line messages.

Every function of the FairGift API raises `FairGiftError` (a one-line message, no traceback
needed) for a problem the user can fix: an unknown network, no deployment, a malformed amount,
not enough balance or allowance, an unknown gift, slippage, a fee above its cap, a revert.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class FairGiftError(Exception):
    """A user-facing error: `str(err)` is one line that says what went wrong and what to do."""

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))


# Friendly text for the custom errors the contracts (and OpenZeppelin, MockUSDC) revert with.
# Placeholders are the error's input names; amounts are shown raw (base units) unless a
# formatter is given to `describe_revert`.
_MESSAGES: dict[str, str] = {
    "FeeAboveCap": "a fee of {bps} bps is above the cap of {cap} bps written in the contract",
    "NoPendingFee": "there is no pending fee change to cancel",
    "OwnableUnauthorizedAccount": "{account} is not the owner of this contract",
    "ERC20InsufficientBalance": "not enough balance: {sender} has {balance}, needs {needed}",
    "ERC20InsufficientAllowance": "not enough allowance: {spender} may spend {allowance}, needs {needed}",
    "AccountBlacklisted": "{account} is blacklisted by the stablecoin",
    "ERC2612ExpiredSignature": "the permit expired (deadline {deadline})",
    "ERC2612InvalidSigner": "the permit was not signed by the owner {owner}",
    "AuthorizationExpired": "the signed authorization expired (valid before {validBefore})",
    "AuthorizationNotYetValid": "the signed authorization is not valid yet (valid after {validAfter})",
    "AuthorizationAlreadyUsed": "this signed authorization was already used",
    "InvalidAuthorizationSigner": "the authorization was signed by {signer}, not {expected}",
    # TipJar
    "ZeroAmount": "the amount is zero",
    "InvalidCreator": "{creator} cannot receive tips (the zero address or the jar itself)",
    "TokenNotAllowed": "token {token} is not allowed in the tip jar",
    "UnknownGift": "there is no gift #{giftId} in the catalogue",
    "GiftRetired": "gift #{giftId} was retired from the catalogue",
    "ZeroQuantity": "the quantity is zero",
    "GiftAmountOverflow": "{quantity} of gift #{giftId} is more than any token can count",
    "GiftPriceAboveMax": "the gift now costs {amount}, above the {maxAmount} you were quoted "
    "(the catalogue changed); check the price and send again",
    "NothingToWithdraw": "nothing to withdraw for {account}",
    "TransferShortfall": "token {token} delivered {received} instead of {expected} "
    "(fee-on-transfer tokens are refused)",
    "InvalidTreasury": "{treasury} cannot be the treasury",
    "InvalidPayout": "{payout} cannot be a payout address",
    "BatchMessagesMismatch": "the batch's messages do not match its items (at item {index})",
    # CreatorMarket
    "CostAboveMax": "slippage exceeded: the buy costs {totalCost}, above your limit of {maxCost}",
    "ProceedsBelowMin": "slippage exceeded: the sale returns {netProceeds}, "
    "below your floor of {minProceeds}",
    "DeadlinePassed": "the trade's deadline {deadline} has passed",
    "UnknownToken": "{token} is not a creator token of this market",
    "AlreadyLaunched": "{creator} already launched a token ({token}); one per creator",
    "NotCreator": "{caller} is not the creator of {token}",
    "InvalidQuoteToken": "{token} cannot be the quote token (no contract there)",
    "InsufficientSupply": "cannot sell {amount}: only {supply} exist",
    # SplitFactory / RevenueSplit
    "InvalidPayeeCount": "a split has 1 to 32 payees, not {count}",
    "DuplicatePayee": "{payee} appears twice in the split",
    "ZeroShare": "{payee} has a zero share",
    "SharesSumMismatch": "split shares add up to {sum} bps, not 10000",
    "NothingToRelease": "nothing to release for {payee}",
    "NotPayee": "{account} is not a payee of this split",
}


def _words(name: str) -> str:
    """`TokenNotAllowed` -> `token not allowed`."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).lower()


def describe_revert(
    name: str, inputs: dict | None = None, fmt: Callable[[str, object], str] | None = None
) -> str:
    """A one-line description of custom error `name` with its `inputs`.

    `fmt(input_name, value)` may render values (e.g. amounts with their token symbol).
    """
    inputs = dict(inputs or {})
    shown = {k: (fmt(k, v) if fmt else _plain(v)) for k, v in inputs.items()}
    if name in _MESSAGES:
        try:
            return _MESSAGES[name].format(**shown)
        except (KeyError, IndexError):
            pass
    details = ", ".join(f"{k}={v}" for k, v in shown.items())
    return f"{_words(name)}" + (f" ({details})" if details else "")


def _plain(value) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return str(value)


def friendly(err: BaseException, fmt: Callable[[str, object], str] | None = None) -> str:
    """A one-line message for any exception raised while talking to the chain."""
    from ape.exceptions import (
        AccountsError,
        ContractLogicError,
        CustomError,
        NetworkError,
        OutOfGasError,
        ProviderNotConnectedError,
        SignatureError,
    )

    if isinstance(err, FairGiftError):
        return str(err)
    if isinstance(err, CustomError):
        return "rejected by the contract: " + describe_revert(err.name, err.inputs, fmt)
    if isinstance(err, OutOfGasError):
        return "the transaction ran out of gas"
    if isinstance(err, ContractLogicError):
        msg = err.message if err.message and err.message != "Transaction failed." else "no reason given"
        return f"rejected by the contract: {msg}"
    if isinstance(err, ProviderNotConnectedError):
        return "not connected to a network (use --network)"
    if isinstance(err, NetworkError):
        return f"network problem: {err}"
    if isinstance(err, (AccountsError, SignatureError)):
        return f"account problem: {err}"
    return f"{type(err).__name__}: {err}"


@contextmanager
def translated(action: str | None = None, fmt: Callable[[str, object], str] | None = None) -> Iterator[None]:
    """Re-raise chain errors raised inside the block as `FairGiftError` (prefixed by `action`)."""
    from ape.exceptions import ApeException

    try:
        yield
    except FairGiftError:
        raise
    except ApeException as err:
        prefix = f"{action}: " if action else ""
        raise FairGiftError(prefix + friendly(err, fmt)) from err
