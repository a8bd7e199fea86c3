"""A Safe as FairGift's owner: an owner call is proposed by one of the Safe's owners (signed at
once), signed by others, and executed by anyone once the Safe's threshold of valid signatures is
there. Proposals are files (fairgift.safe.proposals); signatures are EIP-712 signatures of the
SafeTx, checked here against the Safe's own `getTransactionHash` and its current owners."""

from __future__ import annotations

from eth_keys import keys
from eth_keys.exceptions import BadSignature
from eth_utils import to_checksum_address

from fairgift.api.accounts import ZERO_ADDRESS, address_of
from fairgift.api.base import Result
from fairgift.errors import FairGiftError, translated
from fairgift.safe.contracts import safe_at, safe_version
from fairgift.safe.owner_calls import OwnerCall
from fairgift.safe.proposals import Proposal, ProposalStore

CALL = 0  # Safe operation: a plain CALL (never DELEGATECALL: owner calls need no more)


def recover(safe_tx_hash: bytes, signature: bytes) -> str | None:
    """The signer of a 65-byte r|s|v EOA signature over `safe_tx_hash`, None if it is not one."""
    if len(signature) != 65 or signature[64] not in (27, 28):
        return None  # Safe's other kinds (contract, approved hash, eth_sign) are not made here
    r, s, v = signature[:32], signature[32:64], signature[64] - 27
    try:
        key = keys.Signature(vrs=(v, int.from_bytes(r, "big"), int.from_bytes(s, "big")))
        return key.recover_public_key_from_msg_hash(safe_tx_hash).to_checksum_address()
    except (BadSignature, ValueError):
        return None


class Multisig:
    """The Safe at `address` on the connected chain and its proposals in `store`."""

    def __init__(self, address, store: ProposalStore):
        from ape import chain

        self.safe = safe_at(address)
        self.version = safe_version(self.safe)
        self.address = to_checksum_address(self.safe.address)
        self.chain_id = int(chain.chain_id)
        self.store = store

    # ------------------------------------------------------------------ the Safe's state

    def owners(self) -> list[str]:
        return [to_checksum_address(str(o)) for o in self.safe.getOwners()]

    def threshold(self) -> int:
        return int(self.safe.getThreshold())

    def nonce(self) -> int:
        # `nonce` is also an attribute of every Ape address (its transaction count): ask the Safe.
        return int(self.safe.call_view_method("nonce"))

    def require_owner(self, who: str, what: str) -> None:
        if who not in self.owners():
            raise FairGiftError(f"{who} is not an owner of the Safe {self.address}: it cannot {what}")

    # ------------------------------------------------------------------ SafeTx and its hash

    def message(self, to: str, data: bytes, nonce: int):
        """The EIP-712 SafeTx (Safe v1.4.1's type and domain: chain id and the Safe's address)."""
        from eip712.common import create_safe_tx_def

        safe_tx = create_safe_tx_def(
            version=self.version, contract_address=self.address, chain_id=self.chain_id
        )
        return safe_tx(
            to=to, value=0, data=data, operation=CALL, safeTxGas=0, baseGas=0, gasPrice=0,
            gasToken=ZERO_ADDRESS, refundReceiver=ZERO_ADDRESS, nonce=nonce,
        )  # fmt: skip

    def tx_hash(self, to: str, data: bytes, nonce: int) -> bytes:
        """The Safe's own hash of the SafeTx, checked against the EIP-712 hash a signer signs (a
        mismatch means the signers would sign something the Safe never accepts)."""
        from eip712.messages import calculate_hash

        onchain = bytes(
            self.safe.getTransactionHash(to, 0, data, CALL, 0, 0, 0, ZERO_ADDRESS, ZERO_ADDRESS, nonce)
        )
        if bytes(calculate_hash(self.message(to, data, nonce).signable_message)) != onchain:
            raise FairGiftError(f"the Safe {self.address} hashes transactions unlike Safe v{self.version}")
        return onchain

    def _sign(self, proposal: Proposal, signer) -> Proposal:
        who = address_of(signer)
        self.require_owner(who, "sign its transactions")
        if who in proposal.signatures:
            raise FairGiftError(f"{who} has already signed {proposal.id}")
        msg = self.message(proposal.to, bytes.fromhex(proposal.data[2:]), proposal.nonce)
        with translated("signing the Safe transaction"):
            sig = signer.sign_message(msg)
        if sig is None:
            raise FairGiftError(f"{who} declined to sign {proposal.id}")
        encoded = bytes(sig.encode_rsv())
        if recover(bytes.fromhex(proposal.safe_tx_hash[2:]), encoded) != who:
            raise FairGiftError(f"the signature of {who} does not recover to it: not stored")
        proposal.signatures[who] = "0x" + encoded.hex()
        self.store.save(proposal)
        return proposal

    # ------------------------------------------------------------------ propose, sign, execute

    def next_nonce(self) -> int:
        """After the Safe's nonce and every proposal still waiting for it."""
        waiting = [p.nonce for p in self.store.all(self.address) if p.executed_tx is None]
        return max([self.nonce(), *(n + 1 for n in waiting)])

    def propose(self, call: OwnerCall, proposer, nonce: int | None = None) -> Result:
        """Store `call` as a Safe transaction signed by `proposer` (one of the Safe's owners)."""
        who = address_of(proposer)
        self.require_owner(who, "propose transactions")
        notes = []
        allowed = call.authority()
        if allowed != self.address:
            pending = to_checksum_address(str(call.contract.pendingOwner()))
            if call.by_pending_owner or pending != self.address:
                role = "pending owner" if call.by_pending_owner else "owner"
                raise FairGiftError(
                    f"the {call.name}'s {role} is {allowed}, not the Safe {self.address}"
                    + (
                        ""
                        if call.by_pending_owner
                        else ": offer it ownership first (owner transfer-ownership)"
                    )
                )
            notes.append(f"the Safe is the {call.name}'s pending owner: execute its acceptance first")
        onchain = self.nonce()
        nonce = self.next_nonce() if nonce is None else nonce
        if nonce < onchain:
            raise FairGiftError(f"nonce {nonce} of the Safe {self.address} is used (next: {onchain})")
        existing = self.store.path(f"{self.address}-{nonce}")
        if existing.exists():
            raise FairGiftError(
                f"{existing} already proposes nonce {nonce}; sign or execute it, or pass --nonce"
            )
        to, data = to_checksum_address(call.contract.address), call.data
        proposal = Proposal(
            safe=self.address, chain_id=self.chain_id, nonce=nonce, to=to, data="0x" + data.hex(),
            description=call.description, safe_tx_hash="0x" + self.tx_hash(to, data, nonce).hex(),
            proposer=who,
        )  # fmt: skip
        self._sign(proposal, proposer)
        result = Result(
            f"proposed {proposal.id}: {call.description}; "
            f"{self._tally(proposal)} (file {self.store.path(proposal.id)})",
            values={"id": proposal.id, "safe_tx_hash": proposal.safe_tx_hash, "nonce": nonce},
        )
        result.notes.extend(notes)
        return result

    def load(self, proposal_id: str) -> Proposal:
        proposal = self.store.load(proposal_id)
        if proposal.safe != self.address:
            raise FairGiftError(
                f"{proposal.id} is a proposal of the Safe {proposal.safe}, not {self.address}"
            )
        if proposal.chain_id != self.chain_id:
            raise FairGiftError(f"{proposal.id} is for chain {proposal.chain_id}, not {self.chain_id}")
        if proposal.executed_tx:
            raise FairGiftError(f"{proposal.id} was executed in {proposal.executed_tx}")
        if proposal.nonce < self.nonce():
            raise FairGiftError(f"the Safe's nonce {proposal.nonce} is used: {proposal.id} can never execute")
        # The file is only a carrier: what is signed is recomputed from its fields, so an edited `to`
        # or `data` (or a hash pasted from elsewhere) is refused before anyone signs it.
        actual = "0x" + self.tx_hash(proposal.to, bytes.fromhex(proposal.data[2:]), proposal.nonce).hex()
        if actual != proposal.safe_tx_hash:
            raise FairGiftError(f"{proposal.id}: its fields do not hash to its safe_tx_hash (edited?)")
        return proposal

    def sign(self, proposal_id: str, signer) -> Result:
        proposal = self._sign(self.load(proposal_id), signer)
        return Result(
            f"signed {proposal.id} ({proposal.description}): {self._tally(proposal)}",
            values={"signers": sorted(proposal.signatures)},
        )

    def valid_signers(self, proposal: Proposal) -> dict[str, bytes]:
        """The proposal's signatures that recover to their owner, an owner of the Safe now."""
        owners, digest = set(self.owners()), bytes.fromhex(proposal.safe_tx_hash[2:])
        valid = {}
        for who, sig in proposal.signatures.items():
            raw = bytes.fromhex(sig.removeprefix("0x"))
            if who in owners and recover(digest, raw) == who:
                valid[who] = raw
        return valid

    def _tally(self, proposal: Proposal) -> str:
        valid, threshold = self.valid_signers(proposal), self.threshold()
        state = "ready to execute" if len(valid) >= threshold else "waiting for signatures"
        return f"{len(valid)} of {threshold} signatures ({', '.join(sorted(valid)) or 'none'}), {state}"

    def execute(self, proposal_id: str, sender) -> Result:
        """Send execTransaction with the proposal's valid signatures (any account may send it)."""
        proposal = self.load(proposal_id)
        valid, threshold = self.valid_signers(proposal), self.threshold()
        invalid = sorted(set(proposal.signatures) - set(valid))
        if len(valid) < threshold:
            raise FairGiftError(
                f"{proposal.id} has {len(valid)} valid signature(s) of the {threshold} the Safe needs"
                + (f" ({', '.join(invalid)}: not an owner or not its signature)" if invalid else "")
                + f"; another owner signs with `safe sign {proposal.id} --account ...`"
            )
        onchain = self.nonce()
        if proposal.nonce != onchain:
            raise FairGiftError(f"{proposal.id} waits for the Safe's nonce {onchain} to execute first")
        data = bytes.fromhex(proposal.data[2:])
        self._simulate(proposal.to, data)
        # Safe requires the signatures sorted by signer address, ascending; exactly `threshold`.
        chosen = sorted(valid, key=lambda a: int(a, 16))[:threshold]
        signatures = b"".join(valid[a] for a in chosen)
        with translated("execTransaction"):
            receipt = self.safe.execTransaction(
                proposal.to, 0, data, CALL, 0, 0, 0, ZERO_ADDRESS, ZERO_ADDRESS, signatures, sender=sender
            )
        # With safeTxGas and gasPrice 0 the Safe reverts (GS013) when the call fails, so a mined
        # execTransaction is a call that succeeded.
        proposal.executed_tx = str(receipt.txn_hash)
        self.store.save(proposal)
        return Result(
            f"executed {proposal.id}: {proposal.description} "
            f"(signed by {', '.join(chosen)}; tx {receipt.txn_hash})",
            [receipt],
            {"id": proposal.id},
        )

    def _simulate(self, to: str, data: bytes) -> None:
        """The call as the Safe would make it: a refusal is the contract's own error, before gas.
        Through the contract's ABI when the chain knows it (FairGift's contracts: their custom
        errors by name), else as a raw call."""
        from ape import chain
        from ape.contracts import ContractInstance

        contract_type = chain.contracts.get(to)
        with translated("the Safe's call"):
            if contract_type is None:
                txn = chain.provider.network.ecosystem.create_transaction(
                    sender=self.address, receiver=to, data=data
                )
                chain.provider.send_call(txn)
                return
            contract = ContractInstance(to, contract_type)
            signature, args = contract.decode_input(data)
            # Estimated, not `.call`ed: Ape decodes custom errors on this path only (eth_call gives
            # "custom error 0x…"); at gas price 0, as the Safe holds no ether to pay for it.
            method = getattr(contract, signature.split("(")[0])
            method.estimate_gas_cost(*args.values(), sender=self.address, gas_price=0)
