"""Custom errors that other contracts bubble up."""

from ape.exceptions import CustomError
from hexbytes import HexBytes


def custom_error(contract, error) -> tuple[str, dict]:
    """`(name, arguments)` of the custom error carried by `error` (an Ape ContractLogicError), decoded
    with `contract`'s ABI. Ape decodes a revert with the ABI of the contract it blames, which may be
    the caller (the market) rather than the contract that raised (a token under it), and which one
    it blames varies; decoding here gives the same answer either way."""
    if isinstance(error, CustomError):
        return type(error).__name__, dict(error.inputs)
    data = HexBytes(error.revert_message)
    abi = contract.contract_type.errors[data[:4]]
    return abi.name, dict(contract.provider.network.ecosystem.decode_calldata(abi, data[4:]))
