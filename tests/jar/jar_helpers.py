"""Settings and helpers of the tip-jar tests (imported as `jar_helpers`); units and constants shared
with other areas are in tests/constants.py."""

FEE_BPS = 500  # 5% at launch
MSG32 = "thanks for the stream, legend!!!"  # a 32-byte message
assert len(MSG32.encode()) == 32


def split_of(project, factory, tx):
    """The RevenueSplit created by a `createSplit*` transaction."""
    (event,) = [e for e in tx.events if e.event_name == "SplitCreated"]
    return project.RevenueSplit.at(event.split)
