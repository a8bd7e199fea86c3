"""Constants and helpers shared by the tip-jar tests (imported as `jar_helpers`)."""

USDC = 10**6
FEE_BPS = 500  # 5% at launch
MAX_UINT = 2**256 - 1
MSG32 = "thanks for the stream, legend!!!"  # a 32-byte message
assert len(MSG32.encode()) == 32


def split_of(project, factory, tx):
    """The RevenueSplit created by a `createSplit*` transaction."""
    (event,) = [e for e in tx.events if e.event_name == "SplitCreated"]
    return project.RevenueSplit.at(event.split)
