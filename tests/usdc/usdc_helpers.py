"""Settings and helpers of the real-USDC tests (imported as `usdc_helpers`): Circle's accounts at
fixed indexes of the test mnemonic, and EIP-712 signing with the domain USDC really has."""

from eth_abi import encode
from eth_utils import keccak, to_checksum_address

from fairgift.eip712 import PERMIT, RECEIVE_WITH_AUTHORIZATION, typed_message

JAR_FEE_BPS = 500
PROTOCOL_BPS = 250
CREATOR_BPS = 500

# Circle's accounts: beyond the ten roles, at indexes no other area uses (the machines take
# 1,000-1,029), so they are the same in every session whatever ran before.
CIRCLE_INDEX, PROXY_ADMIN_INDEX = 1_100, 1_101

# What USDC's require() messages say (solc 0.6.12 string reasons, not custom errors).
BLACKLISTED = "Blacklistable: account is blacklisted"
PAUSED = "Pausable: paused"
EXCEEDS_BALANCE = "ERC20: transfer amount exceeds balance"
INVALID_SIGNATURE = "EIP2612: invalid signature"


def keyed_account(accounts, index: int):
    return accounts.containers["test"].generate_account(index=index)


def name_version_domain(token, chain_id: int) -> dict:
    """USDC's domain built as a client without ERC-5267 must build it: `name()`, `version()`."""
    return {
        "name": token.name(),
        "version": token.version(),
        "chainId": chain_id,
        "verifyingContract": to_checksum_address(token.address),
    }


def separator_of(domain: dict) -> bytes:
    """The EIP-712 domain separator of `domain` (name, version, chainId, verifyingContract)."""
    typehash = keccak(
        text="EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    )
    return keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [
                typehash,
                keccak(text=domain["name"]),
                keccak(text=domain["version"]),
                domain["chainId"],
                domain["verifyingContract"],
            ],
        )
    )


def permit(domain, owner, spender, value: int, nonce: int, deadline: int):
    return typed_message(
        domain,
        PERMIT,
        {"owner": str(owner), "spender": str(spender), "value": value, "nonce": nonce, "deadline": deadline},
    )


def receive_authorization(domain, from_, to, value: int, valid_after: int, valid_before: int, nonce: bytes):
    return typed_message(
        domain,
        RECEIVE_WITH_AUTHORIZATION,
        {
            "from": str(from_),
            "to": str(to),
            "value": value,
            "validAfter": valid_after,
            "validBefore": valid_before,
            "nonce": nonce,
        },
    )
