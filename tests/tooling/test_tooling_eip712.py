"""fairgift.eip712: every type is written once and its type string and typehash are derived; here
they are compared with the typehash strings the contracts hash (read from their sources), and the
derived hashes with independent encodings."""

import re
from pathlib import Path

import pytest
from eth_abi import encode
from eth_account import Account
from eth_account.messages import _hash_eip191_message, encode_typed_data
from eth_utils import keccak

from fairgift import eip712

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"
# `NAME_TYPEHASH = keccak256("Type(...)")`, the string possibly on the next line
TYPEHASH = re.compile(r"(\w*TYPEHASH)\s*=\s*keccak256\(\s*\"([^\"]+)\"\s*\)", re.S)


def contract_type_strings() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in CONTRACTS.rglob("*.sol"):
        for _constant, text in TYPEHASH.findall(path.read_text()):
            found.setdefault(text.split("(")[0], set()).add(text)
    return found


def test_every_type_is_the_contracts():
    found = contract_type_strings()
    for struct in eip712.TYPES:
        assert found.get(struct.name) == {struct.type_string}, struct.name
        assert struct.typehash == keccak(text=struct.type_string)
    # and the contracts sign no type this module lacks
    assert set(found) == {struct.name for struct in eip712.TYPES}


def test_tip_type_string_is_the_documented_one():
    assert eip712.TIP.type_string == (
        "Tip(address fan,address creator,address token,uint256 amount,string message,uint256 nonce,"
        "uint256 deadline)"
    )


DOMAIN = {
    "name": "FairGift TipJar",
    "version": "1",
    "chainId": 31337,
    "verifyingContract": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
}
FAN = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
CREATOR = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
TOKEN = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"


def test_domain_separator_and_digest_match_eth_account():
    message = {
        "fan": FAN,
        "creator": CREATOR,
        "token": TOKEN,
        "amount": 2_500_000,
        "message": "gg ✨",
        "nonce": 7,
        "deadline": 2**40,
    }
    signable = eip712.typed_message(DOMAIN, eip712.TIP, message)
    separator = keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [
                keccak(
                    text="EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
                ),
                keccak(text=DOMAIN["name"]),
                keccak(text=DOMAIN["version"]),
                DOMAIN["chainId"],
                DOMAIN["verifyingContract"],
            ],
        )
    )
    assert eip712.domain_separator(DOMAIN) == separator == bytes(signable.header)
    struct = eip712.tip_struct_hash(*message.values())
    assert struct == bytes(signable.body)
    assert eip712.digest(separator, struct) == _hash_eip191_message(signable)


def test_a_domain_without_version_has_its_own_type():
    domain = {k: v for k, v in DOMAIN.items() if k != "version"}
    assert eip712.domain_type(domain).type_string == (
        "EIP712Domain(string name,uint256 chainId,address verifyingContract)"
    )
    signable = encode_typed_data(full_message=eip712.typed_data(domain, eip712.PERMIT, _permit()))
    assert eip712.domain_separator(domain) == bytes(signable.header)


def _permit():
    return {"owner": FAN, "spender": CREATOR, "value": 5, "nonce": 0, "deadline": 2**40}


def test_signature_recovers_compacts_and_rejects():
    account = Account.create("eip712 test")
    signable = eip712.typed_message(DOMAIN, eip712.PERMIT, _permit())
    signed = account.sign_message(signable)
    sig = eip712.Signature(signed.v, signed.r, signed.s)
    digest = _hash_eip191_message(signable)
    assert sig.recover(digest) == account.address
    assert sig.to_bytes() == bytes(signed.signature)
    assert eip712.from_compact(*sig.compact()) == sig
    v, r, s = sig
    assert (v, r, s) == (signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big"))
    with pytest.raises(eip712.InvalidSignature):
        eip712.Signature(27, 0, 0).recover(digest)
