"""A signed tip as the relayer receives it: parsing untrusted JSON, the EIP-712 digests, recovery.

The body of `POST /api/tips`:

    {
      "chainId": 31337,
      "jar": "0x…",                                   # the TipJar the tip is signed for
      "tip": {"fan": "0x…", "creator": "0x…", "token": "0x…", "amount": "2500000",
              "message": "gg", "nonce": "0", "deadline": "1767225600"},
      "signature": "0x…",                             # 65 bytes (r, s, v) or 64 (EIP-2098)
      "permit": {"value": "…", "deadline": "…", "signature": "0x…"}   # optional, EIP-2612
    }

Integers may be JSON numbers or decimal strings (wallets and JavaScript lose precision above 2^53,
so strings are the safe form). `check_tip` holds the rules every tip must meet before anything is
read from the chain (the relayer's intake and the prepare endpoint both ask it). Everything here is
pure: no chain access; `Rejected` carries the HTTP status and a one-line reason.
"""

from __future__ import annotations

from dataclasses import dataclass

# cchecksum: the same EIP-55 answer (and ValueError) as eth_utils at ~1/30 of the CPU; four per signed tip
from cchecksum import to_checksum_address
from eth_utils import is_hex_address

from fairgift import eip712
from fairgift.batch import BatchTip
from fairgift.eip712 import SECP256K1_N, InvalidSignature, Signature

MAX_UINT256 = 2**256 - 1
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


class Rejected(Exception):
    """A request the relayer refuses: `status` (4xx/5xx) and a one-line `reason`."""

    def __init__(self, status: int, reason: str, retry_after: int | None = None):
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.retry_after = retry_after


def signer_of(signature: Signature, digest: bytes) -> str:
    """The address that signed `digest` (`Rejected` 400 when no key recovers)."""
    try:
        return signature.recover(digest)
    except InvalidSignature as err:
        raise Rejected(400, str(err)) from None


@dataclass(frozen=True)
class Permit:
    value: int
    deadline: int
    signature: Signature

    def to_json(self) -> dict:
        r, s = self.signature.rs_bytes
        return {
            "value": str(self.value),
            "deadline": str(self.deadline),
            "v": self.signature.v,
            "r": "0x" + r.hex(),
            "s": "0x" + s.hex(),
        }

    @classmethod
    def from_json(cls, data: dict) -> Permit:
        sig = Signature(int(data["v"]), int(data["r"], 16), int(data["s"], 16))
        return cls(int(data["value"]), int(data["deadline"]), sig)


@dataclass(frozen=True)
class SignedTip:
    chain_id: int
    jar: str
    fan: str
    creator: str
    token: str
    amount: int
    message: str
    nonce: int
    deadline: int
    signature: Signature
    permit: Permit | None = None

    def struct_hash(self) -> bytes:
        return eip712.tip_struct_hash(
            self.fan, self.creator, self.token, self.amount, self.message, self.nonce, self.deadline
        )

    def digest(self, domain_separator: bytes) -> bytes:
        return eip712.digest(domain_separator, self.struct_hash())

    def request_body(self, chain_id: int, jar: str) -> dict:
        """The JSON body of `POST /api/tips` carrying this tip for `jar` on `chain_id` (what
        `parse_tip_request` reads back; a permit, when there is one, is the caller's to add)."""
        return {
            "chainId": chain_id,
            "jar": jar,
            "tip": {
                "fan": self.fan,
                "creator": self.creator,
                "token": self.token,
                "amount": str(self.amount),
                "message": self.message,
                "nonce": str(self.nonce),
                "deadline": str(self.deadline),
            },
            "signature": "0x" + self.signature.to_bytes().hex(),
        }

    def batch_item(self) -> BatchTip:
        r, vs = self.signature.compact()
        return BatchTip(
            fan=self.fan,
            creator=self.creator,
            amount=self.amount,
            nonce=self.nonce,
            deadline=self.deadline,
            r=r,
            vs=vs,
            message=self.message,
        )


# ---------------------------------------------------------------------------- the rules of a tip


def check_tip(
    *, creator: str, amount: int, message, jar: str, max_message_bytes: int, prefix: str = ""
) -> None:
    """The rules of a tip, checked before anything is read from the chain: a message of text
    (valid Unicode, no C0 control character nor DEL) of at most `max_message_bytes` UTF-8 bytes
    (the relayer pays the calldata of every message), an amount above zero, a creator that is
    neither the zero address nor the jar (the jar refuses both on chain). `prefix` names the fields
    as the request does ("tip."). `Rejected` 400 (413 for a long message) with the first rule broken."""
    if not isinstance(message, str):
        raise Rejected(400, f"{prefix}message must be a string")
    try:
        size = len(message.encode("utf8"))
    except UnicodeEncodeError:
        raise Rejected(400, f"{prefix}message is not valid Unicode text") from None
    control = next((ch for ch in message if ch < " " or ch == "\x7f"), None)
    if control is not None:
        # U+0000 makes PostgreSQL refuse the row; the others have no business in a page's message
        raise Rejected(400, f"{prefix}message contains the control character U+{ord(control):04X}; remove it")
    if size > max_message_bytes:
        raise Rejected(
            413, f"{prefix}message is {size} bytes; this relayer takes at most {max_message_bytes}"
        )
    if amount == 0:
        raise Rejected(400, f"{prefix}amount must be above zero")
    if creator in (ZERO_ADDRESS, jar):
        raise Rejected(400, f"invalid creator {creator}")


# ---------------------------------------------------------------------------- parsing


def parse_tip_request(data) -> SignedTip:
    """A `SignedTip` from a decoded JSON body, or `Rejected(400, reason)`. Its fields are
    well-formed; whether they make a valid tip is `check_tip`'s question."""
    if not isinstance(data, dict):
        raise Rejected(400, "the body must be a JSON object")
    tip = data.get("tip")
    if not isinstance(tip, dict):
        raise Rejected(400, "missing object 'tip' (fan, creator, token, amount, message, nonce, deadline)")
    message = tip.get("message", "")
    if not isinstance(message, str):
        raise Rejected(400, "tip.message must be a string")
    permit = None
    if data.get("permit") is not None:
        p = data["permit"]
        if not isinstance(p, dict):
            raise Rejected(400, "permit must be an object {value, deadline, signature}")
        permit = Permit(
            value=uint(p.get("value"), "permit.value"),
            deadline=uint(p.get("deadline"), "permit.deadline"),
            signature=parse_signature(p.get("signature"), "permit.signature"),
        )
    return SignedTip(
        chain_id=uint(data.get("chainId"), "chainId"),
        jar=address(data.get("jar"), "jar"),
        fan=address(tip.get("fan"), "tip.fan"),
        creator=address(tip.get("creator"), "tip.creator"),
        token=address(tip.get("token"), "tip.token"),
        amount=uint(tip.get("amount"), "tip.amount"),
        message=message,
        nonce=uint(tip.get("nonce"), "tip.nonce"),
        deadline=uint(tip.get("deadline"), "tip.deadline"),
        signature=parse_signature(data.get("signature"), "signature"),
        permit=permit,
    )


def uint(value, name: str) -> int:
    """A uint256 from a JSON number (integral) or a decimal / 0x-hex string."""
    if isinstance(value, bool) or value is None:
        raise Rejected(400, f"{name} is missing or not a number")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and 0 < len(value) <= 80:
        text = value.strip()
        try:
            number = int(text, 16) if text.lower().startswith("0x") else int(text, 10)
        except ValueError:
            raise Rejected(400, f"{name} is not an integer: {value[:40]!r}") from None
    else:
        raise Rejected(400, f"{name} must be an integer or a decimal string")
    if not 0 <= number <= MAX_UINT256:
        raise Rejected(400, f"{name} is out of range (0 to 2**256 - 1)")
    return number


def address(value, name: str) -> str:
    if not isinstance(value, str) or not is_hex_address(value):
        raise Rejected(400, f"{name} is not an address")
    try:
        return to_checksum_address(value)
    except ValueError:
        raise Rejected(400, f"{name} is not an address") from None


def parse_signature(value, name: str) -> Signature:
    """A 65-byte `r || s || v` (v 27/28 or 0/1) or a 64-byte EIP-2098 `r || vs` hex string."""
    if not isinstance(value, str) or not value.startswith("0x") or len(value) > 2 + 2 * 65:
        raise Rejected(400, f"{name} must be a 0x-hex signature of 64 or 65 bytes")
    try:
        raw = bytes.fromhex(value[2:])
    except ValueError:
        raise Rejected(400, f"{name} is not hex") from None
    if len(raw) == 65:
        r, s, v = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:64], "big"), raw[64]
        if v in (0, 1):
            v += 27
        if v not in (27, 28):
            raise Rejected(400, f"{name} has an invalid v ({v})")
    elif len(raw) == 64:
        r, vs = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
        v, s = 27 + (vs >> 255), vs & ((1 << 255) - 1)
    else:
        raise Rejected(400, f"{name} must be 64 or 65 bytes, got {len(raw)}")
    if not (0 < r < SECP256K1_N and 0 < s <= SECP256K1_N // 2):
        raise Rejected(400, f"{name} is not a canonical (low-s) secp256k1 signature")
    return Signature(v, r, s)
