"""Units and constants shared by every test area: defined here once, imported everywhere
(`from tests.constants import USDC, MAX_UINT`). An area keeps only its own settings (a jar's launch
fee, a machine's sizes); anything two areas share belongs here."""

USDC = 10**6  # one whole MockUSDC (6 decimals), the base unit of every USDC amount
TOKEN = 10**18  # one whole 18-decimal token: a creator token, a DAI-like test token
MAX_UINT = 2**256 - 1  # an unlimited allowance; the largest uint256
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"

DAY = 24 * 3600
DELAY = 7 * DAY  # FEE_CHANGE_DELAY of every capped fee (TipJar, CreatorMarket, FeeHarness)

# The default bonding curve of a CreatorMarket (fairgift.deploy's defaults), in USDC base units.
BASE_PRICE = 10_000  # 0.01 USDC per whole token at supply 0
SLOPE = 1_000  # +0.001 USDC per whole token for each whole token of supply

# Fee caps, named as the contracts name them.
MAX_FEE_BPS = 1000  # TipJar.MAX_FEE_BPS, FeeHarness.MAX_FEE_BPS
MAX_PROTOCOL_FEE_BPS = 500  # CreatorMarket.MAX_PROTOCOL_FEE_BPS
MAX_CREATOR_FEE_BPS = 1000  # CreatorMarket.MAX_CREATOR_FEE_BPS

# The contracts FairGift deploys (what a chain runs), as opposed to interfaces, libraries and mocks.
PRODUCTION_CONTRACTS = ("TipJar", "CreatorMarket", "CreatorToken", "RevenueSplit", "SplitFactory")
