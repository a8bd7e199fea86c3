"""Helpers shared by the split tests (imported as `split_helpers`)."""

USDC = 10**6


def split_of(project, tx):
    """The RevenueSplit created by a `createSplit*` transaction."""
    (event,) = [e for e in tx.events if e.event_name == "SplitCreated"]
    return project.RevenueSplit.at(event.split)
