"""Helpers of the split tests (imported as `split_helpers`); units are in tests/constants.py."""


def split_of(project, tx):
    """The RevenueSplit created by a `createSplit*` transaction."""
    (event,) = [e for e in tx.events if e.event_name == "SplitCreated"]
    return project.RevenueSplit.at(event.split)


def addresses(n: int, base: int = 0x5B117000) -> list[str]:
    """`n` distinct plain addresses that no test account holds (payees that only ever receive)."""
    from eth_utils import to_checksum_address

    return [to_checksum_address(f"0x{base + i:040x}") for i in range(n)]
