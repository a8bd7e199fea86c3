"""Every EIP-712 type FairGift signs or checks, each written once as its list of fields.

The type strings (`Tip(address fan,...)`), the typehashes the contracts hard-code, the struct
hashes, the domain separator and the digest are all derived from these field lists, so a field
written here is the field signed everywhere: by `fairgift.signing` and `fairgift.batch` (through
`typed_message` and an Ape account), by the relayer (digests and recovery) and by the pages (typed
data for `eth_signTypedData_v4`). A test compares every derived typehash with the contracts'.

Pure: no chain access. A token's domain is read by `fairgift.chain.token_domain`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from cchecksum import to_checksum_address
from eth_abi import encode
from eth_account.messages import SignableMessage, encode_typed_data
from eth_keys import keys
from eth_keys.exceptions import BadSignature
from eth_utils import keccak

from fairgift.errors import FairGiftError

# secp256k1 group order; signatures with s > n/2 are rejected by OpenZeppelin's ECDSA (malleable)
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


@dataclass(frozen=True)
class StructType:
    """One EIP-712 struct type: its name and its `(type, name)` fields in order. Only atomic and
    dynamic (`string`, `bytes`) members: none of FairGift's types nests another struct."""

    name: str
    fields: tuple[tuple[str, str], ...]

    @property
    def type_string(self) -> str:
        """`Name(type1 name1,type2 name2)`: what the typehash hashes (no spaces after commas)."""
        return f"{self.name}({','.join(f'{kind} {field}' for kind, field in self.fields)})"

    @cached_property  # once per type, not per signed message (a frozen dataclass keeps it in __dict__)
    def typehash(self) -> bytes:
        return keccak(text=self.type_string)

    @property
    def field_list(self) -> list[dict]:
        """The fields as typed data lists them: `[{"name": ..., "type": ...}, ...]`."""
        return [{"name": field, "type": kind} for kind, field in self.fields]

    @property
    def types(self) -> dict:
        """`{name: field_list}`: the `types` entry of typed data, besides `EIP712Domain`."""
        return {self.name: self.field_list}

    def struct_hash(self, message: dict) -> bytes:
        """`hashStruct(message)`: `keccak256(typehash || encodeData(message))`; `string` and `bytes`
        members are hashed, the others ABI-encoded as they are."""
        kinds, values = ["bytes32"], [self.typehash]
        for kind, field in self.fields:
            value = message[field]
            if kind == "string":
                kinds.append("bytes32")
                values.append(keccak(str(value).encode("utf-8")))
            elif kind == "bytes":
                kinds.append("bytes32")
                values.append(keccak(bytes(value)))
            else:
                kinds.append(kind)
                values.append(_abi_value(kind, value))
        return keccak(encode(kinds, values))


def _abi_value(kind: str, value):
    if kind.startswith(("uint", "int")):
        return int(value)
    if kind == "address":
        return str(value)
    if kind.startswith("bytes"):
        return bytes.fromhex(value[2:]) if isinstance(value, str) else bytes(value)
    return value


# The EIP-712 domain's possible fields in the order EIP-712 (and ERC-5267's bitmask) puts them.
DOMAIN_FIELDS = (
    ("string", "name"),
    ("string", "version"),
    ("uint256", "chainId"),
    ("address", "verifyingContract"),
    ("bytes32", "salt"),
)
# The domain of every FairGift contract and of USDC, MockUSDC and creator tokens.
EIP712_DOMAIN = StructType("EIP712Domain", DOMAIN_FIELDS[:4])

# TipJar.TIP_TYPEHASH: what a fan signs for `tipBatch` (in the jar's domain).
TIP = StructType(
    "Tip",
    (
        ("address", "fan"),
        ("address", "creator"),
        ("address", "token"),
        ("uint256", "amount"),
        ("string", "message"),
        ("uint256", "nonce"),
        ("uint256", "deadline"),
    ),
)
# EIP-2612 (USDC, MockUSDC, CreatorToken).
PERMIT = StructType(
    "Permit",
    (
        ("address", "owner"),
        ("address", "spender"),
        ("uint256", "value"),
        ("uint256", "nonce"),
        ("uint256", "deadline"),
    ),
)
# EIP-3009 (USDC, MockUSDC): both authorizations carry the same fields.
_AUTHORIZATION = (
    ("address", "from"),
    ("address", "to"),
    ("uint256", "value"),
    ("uint256", "validAfter"),
    ("uint256", "validBefore"),
    ("bytes32", "nonce"),
)
TRANSFER_WITH_AUTHORIZATION = StructType("TransferWithAuthorization", _AUTHORIZATION)
RECEIVE_WITH_AUTHORIZATION = StructType("ReceiveWithAuthorization", _AUTHORIZATION)
CANCEL_AUTHORIZATION = StructType("CancelAuthorization", (("address", "authorizer"), ("bytes32", "nonce")))

TYPES = (
    EIP712_DOMAIN,
    TIP,
    PERMIT,
    TRANSFER_WITH_AUTHORIZATION,
    RECEIVE_WITH_AUTHORIZATION,
    CANCEL_AUTHORIZATION,
)


def domain_type(domain: dict) -> StructType:
    """The `EIP712Domain` type of `domain`: the fields it has, in EIP-712's order (most tokens have
    the four of `EIP712_DOMAIN`; some omit `version` or add a `salt`)."""
    fields = tuple((kind, name) for kind, name in DOMAIN_FIELDS if name in domain)
    return EIP712_DOMAIN if fields == EIP712_DOMAIN.fields else StructType("EIP712Domain", fields)


def domain_separator(domain: dict) -> bytes:
    """`hashStruct(domain)`: what a contract's `DOMAIN_SEPARATOR()` returns for `domain`."""
    return domain_type(domain).struct_hash(domain)


def digest(separator: bytes, struct_hash: bytes) -> bytes:
    """`keccak256("\\x19\\x01" || domainSeparator || structHash)`: the hash that is signed."""
    return keccak(b"\x19\x01" + bytes(separator) + bytes(struct_hash))


def typed_data(domain: dict, struct: StructType, message: dict) -> dict:
    """The full typed data of `message` (for `eth_signTypedData_v4` or `encode_typed_data`)."""
    return {
        "types": {"EIP712Domain": domain_type(domain).field_list, **struct.types},
        "primaryType": struct.name,
        "domain": domain,
        "message": message,
    }


def typed_message(domain: dict, struct: StructType, message: dict) -> SignableMessage:
    """`message` of type `struct` in `domain`, ready for `account.sign_message`."""
    return encode_typed_data(full_message=typed_data(domain, struct, message))


def tip_struct_hash(fan, creator, token, amount: int, message: str, nonce: int, deadline: int) -> bytes:
    values = (fan, creator, token, amount, message, nonce, deadline)
    return TIP.struct_hash(dict(zip((name for _, name in TIP.fields), values, strict=True)))


def permit_struct_hash(owner, spender, value: int, nonce: int, deadline: int) -> bytes:
    values = (owner, spender, value, nonce, deadline)
    return PERMIT.struct_hash(dict(zip((name for _, name in PERMIT.fields), values, strict=True)))


class InvalidSignature(FairGiftError):
    """A signature from which no signer can be recovered."""


def _word(value, name: str) -> bytes:
    """A 32-byte big-endian word from an int or bytes; short byte strings are left-padded (r and s
    may come back from a signer without their leading zero bytes, and as bytes32 they must be
    left-padded: the ABI encoder would right-pad a short value and break the signature)."""
    if isinstance(value, int):
        if not 0 <= value < 2**256:
            raise ValueError(f"signature {name} out of range")
        return value.to_bytes(32, "big")
    raw = bytes(value)
    if len(raw) > 32:
        raise ValueError(f"signature {name} of {len(raw)} bytes")
    return raw.rjust(32, b"\x00")


@dataclass(frozen=True)
class Signature:
    """A secp256k1 signature `(v, r, s)`: `v` 27 or 28, `r` and `s` as 32-byte words (ints and short
    byte strings are accepted and normalised). Unpacks as `v, r, s` for a contract call."""

    v: int
    r: bytes
    s: bytes

    def __post_init__(self):
        object.__setattr__(self, "v", int(self.v))
        object.__setattr__(self, "r", _word(self.r, "r"))
        object.__setattr__(self, "s", _word(self.s, "s"))

    def __iter__(self):
        return iter((self.v, self.r, self.s))

    @property
    def rs_bytes(self) -> tuple[bytes, bytes]:
        return self.r, self.s

    @property
    def r_int(self) -> int:
        return int.from_bytes(self.r, "big")

    @property
    def s_int(self) -> int:
        return int.from_bytes(self.s, "big")

    def compact(self) -> tuple[bytes, bytes]:
        """EIP-2098 `(r, vs)`: the parity of `v` in the top bit of `s`."""
        return compact(self.v, self.r, self.s)

    def to_bytes(self) -> bytes:
        """65 bytes `r || s || v`, as `eth_signTypedData_v4` answers."""
        return self.r + self.s + bytes([self.v])

    def recover(self, digest_: bytes) -> str:
        """The checksummed address that signed `digest_` (`InvalidSignature` when none does)."""
        try:
            key = keys.Signature(vrs=(self.v - 27, self.r_int, self.s_int)).recover_public_key_from_msg_hash(
                bytes(digest_)
            )
        except (BadSignature, ValueError) as err:
            raise InvalidSignature(f"bad signature ({err})") from None
        return to_checksum_address(key.to_canonical_address())  # cchecksum: eth_keys' answer, cheaper


def compact(v: int, r: bytes, s: bytes) -> tuple[bytes, bytes]:
    """EIP-2098 compact form `(r, vs)` of a signature: the parity of `v` in the top bit of `s`."""
    if v not in (27, 28):
        raise ValueError(f"v must be 27 or 28, got {v}")
    s_int = int.from_bytes(bytes(s), "big")
    if s_int >> 255:
        raise ValueError("s has its top bit set (not a canonical low-s signature)")
    vs = s_int | ((v - 27) << 255)
    return bytes(r), vs.to_bytes(32, "big")


def from_compact(r, vs) -> Signature:
    """The `Signature` of an EIP-2098 `(r, vs)` (ints or 32-byte words)."""
    vs_int = vs if isinstance(vs, int) else int.from_bytes(bytes(vs), "big")
    return Signature(27 + (vs_int >> 255), r, vs_int & ((1 << 255) - 1))
