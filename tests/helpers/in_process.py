"""The in-process provider (ape-test on py-evm) made exact where Ape 0.8.51 is not.

Snapshots. ape-test names a snapshot by the hash of the latest block, so two snapshots taken with
no block between them (the module's, then the function's of a first test that sends nothing) share
one id. Ape keeps its snapshots in a list and, on restoring one, drops it and every later one: the
function's restore then also dropped the module's snapshot, and at the end of that module Ape found
no snapshot to go back to and kept the module's state (a market module's funding of `traders` was
still there in the next area). `distinct_snapshot_ids()` gives each snapshot its own id.

`receipt.return_value` needs a trace, which py-evm lacks, so ape-test computes it by replaying the
transaction as an `eth_call` on the state *after* its block: a call that changed state returns
what a second call would, or None when the second call reverts (`launch` twice: AlreadyLaunched).
`exact_return_values()`
replaces that with the exact value: the block's transactions re-executed, in order, on the state
before the block, in the block's own context (number, timestamp, base fee), up to the transaction
itself; its output decoded with the called method's ABI. Nothing is written to the chain.
"""

from functools import cached_property
from itertools import count

from hexbytes import HexBytes


def _exact_return_value(self):
    abi = self.root_method_abi
    if abi is None:
        return (None,)
    receipt = self.chain_manager.get_receipt(self.transaction_hash)
    chain = self.provider.evm_backend.chain
    block = chain.get_canonical_block_by_number(receipt.block_number)
    parent = chain.get_block_header_by_hash(block.header.parent_hash)
    state = chain.get_vm(at_header=block.header.copy(state_root=parent.state_root)).state
    target = HexBytes(self.transaction_hash)
    for transaction in block.transactions:
        computation = state.apply_transaction(transaction)
        if HexBytes(transaction.hash) == target:
            break
    else:
        raise LookupError(f"transaction {target.hex()} is not in block {receipt.block_number}")
    if computation.is_error:
        return tuple(None for _ in abi.outputs)
    return self._ecosystem.decode_returndata(abi, computation.output)


def exact_return_values() -> None:
    from ape_test.provider import EthTesterTransactionTrace

    exact = cached_property(_exact_return_value)
    exact.__set_name__(EthTesterTransactionTrace, "return_value")
    EthTesterTransactionTrace.return_value = exact


def distinct_snapshot_ids() -> None:
    """Each in-process snapshot gets an id of its own (a counter), mapped to the block hash ape-test
    reverts to; an id it does not know (a block hash given directly) is passed through as is."""
    from ape_test.provider import LocalProvider

    if getattr(LocalProvider, "_fairgift_distinct_snapshots", False):
        return
    take, revert = LocalProvider.snapshot, LocalProvider.restore
    block_of: dict[int, object] = {}
    ids = count(1)

    def snapshot(self):
        snapshot_id = next(ids)
        block_of[snapshot_id] = take(self)
        return snapshot_id

    def restore(self, snapshot_id):
        return revert(self, block_of.get(snapshot_id, snapshot_id))

    LocalProvider.snapshot, LocalProvider.restore = snapshot, restore
    LocalProvider._fairgift_distinct_snapshots = True
