"""The relayer's batching, abuse limits and relay policy (the main fields have `serve` options).

The relay policy is what makes relaying pay for itself: the relayer pays the gas of every tip it
relays and earns nothing but the jar's fee (the treasury is the operator's), so

- a relayed tip must be at least `min_relayed` whole tokens (0.25 of a dollar stablecoin): the
  jar's fee on it covers the gas of one batch item at the stated gas price (`policy_view` shows the
  arithmetic, and so does `GET /api/relayer`);
- a permit (the relayer pays its transaction) is sponsored only for a fan whose queued tips total
  `permit_min` whole tokens, at most once per fan per `permit_every` seconds; so a prepared permit
  allows the jar `permit_allowance` (capped at the fan's balance), enough for the fan's next tips;
- a batch is built fairly: round-robin by creator, at most `fan_per_batch` items of one fan;
- a fan whose tip is skipped on chain (it revoked, moved or cancelled in front of the batch) is
  refused for `penalty_seconds`.

The relayer only ever refuses: it never changes what the fan signed (the amount, the message).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from fairgift.networks import GasPolicy
from fairgift.relayer.signed_tip import Rejected


@dataclass
class RelayerConfig:
    """Batching, abuse limits and the relay policy (the main fields have `serve` options)."""

    batch_size: int = 50  # a batch goes out when this many tips wait...
    batch_wait: float = 2.0  # ...or when the oldest has waited this long (seconds)
    max_queue: int = 10_000  # queued tips beyond which new ones get 503 "relayer busy"
    max_message_bytes: int = 280  # the relayer pays the calldata of every message
    fan_rate: int = 30  # tips a fan may submit per `rate_window` seconds
    rate_window: float = 60.0
    min_validity: int = 60  # seconds a tip's deadline must still have when it is accepted
    submit_margin: int = 15  # ...and when it is submitted (else skipped without paying gas)
    receipt_timeout: float = 120.0  # wait this long for a receipt before reconciling later
    rebroadcast_after: float = 30.0  # resend an open transaction's bytes after this long
    replace_after: float = 90.0  # re-sign it with fees 12.5%+ higher after this long (replace.py)
    max_attempts: int = 3  # reverted batches before a tip is skipped
    # ---- the network's (`serve` takes them from the chain's profile: fairgift.chain_profile)
    confirmations: int = 0  # blocks on top of a receipt before its tips are settled as landed
    gas: GasPolicy | None = None  # the fees offered, and a ceiling; None: the node's fees
    gas_margin: float = 1.25  # gas limit = estimate * margin (+ the skip allowance: simulate.py)
    poll_interval: float = 0.05  # receipt polling (seconds)
    # ---- the relay policy (see the module's docstring and docs/services.md "Relay policy")
    min_relayed: str = "0.25"  # whole tokens (decimals() of the token) a relayed tip must reach
    permit_min: str = "1"  # whole tokens a fan's queued tips must total for a sponsored permit
    permit_every: float = 86_400.0  # one sponsored permit per fan per this many seconds
    # whole tokens a prepared permit allows the jar (at least the fan's queued tips, at most its
    # balance then; 0: exactly the queued tips). A fan with no ether gets one sponsored permit a
    # day, so a permit for just the tip makes every later tip that day impossible without ether; a
    # live stream's tips are several, each typically 1-5 tokens: 20 covers e.g. ten 2-token tips
    # (eighty at the 0.25 minimum) on one permit, while what a fan leaves standing stays small. The
    # jar spends it only on tips and gifts the fan itself signs (`tip`/`sendGift` sent by the fan,
    # `tipBatch` items carrying the fan's EIP-712 signature: contracts/TipJar.sol, BatchTips.sol);
    # the page says its size before the fan signs, and how to lower it to 0.
    permit_allowance: str = "20"
    fan_per_batch: int = 1  # items of one fan in one batch (bounds what a front-running fan wastes)
    penalty_seconds: float = 3_600.0  # a fan whose tip skipped on chain is refused this long
    # the stated figures the minimum is chosen from (measured: tests/services/test_services_simulate.py)
    gas_per_tip: int = 70_000  # one batch item, cold (a new fan, a new creator), with its calldata
    gas_per_permit: int = 80_000  # one permit transaction
    stated_gas_gwei: str = "0.04"
    stated_eth_usd: str = "4000"


def units(whole: str, decimals: int) -> int:
    """`whole` tokens (a decimal figure) in the token's base units (rounded up)."""
    value = Decimal(whole) * (Decimal(10) ** decimals)
    return int(value.to_integral_value(rounding="ROUND_CEILING"))


def check_minimum(config: RelayerConfig, amount: int, decimals: int, prefix: str = "") -> None:
    """`Rejected` 400 for a tip below the relayed minimum, with the figures."""
    minimum = units(config.min_relayed, decimals)
    if amount < minimum:
        raise Rejected(
            400,
            f"{prefix}amount too small to relay: {amount} < {minimum} ({config.min_relayed} of the "
            f"token: the jar's fee on it pays the relayer's gas, about {config.gas_per_tip:,} per "
            "tip); tip directly, or tip more",
        )


def fair_pick(rows, limit: int, per_fan: int) -> list:
    """At most `limit` of `rows` (queued tips, oldest first) for one batch, fairly: round-robin by
    creator (each round takes each creator's oldest tip left), at most `per_fan` tips of one fan,
    so that neither one sender nor one creator's crowd can fill a batch while others wait."""
    queues: dict[str, list] = {}
    for row in rows:
        queues.setdefault(row.creator, []).append(row)
    taken: Counter = Counter()
    picked: list = []
    while len(picked) < limit and queues:
        for creator in list(queues):
            queue = queues[creator]
            row = next((r for r in queue if taken[r.fan] < per_fan), None)
            if row is None:
                del queues[creator]
                continue
            queue.remove(row)
            taken[row.fan] += 1
            picked.append(row)
            if len(picked) == limit:
                break
    return sorted(picked, key=lambda r: r.accepted_at)


def policy_view(config: RelayerConfig, fee_bps: int, decimals: int) -> dict:
    """The relay policy and its arithmetic, for one token (a dollar stablecoin's figures in USD)."""
    gas_usd = (
        Decimal(config.gas_per_tip) * Decimal(config.stated_gas_gwei) * Decimal(config.stated_eth_usd) / 10**9
    )
    permit_usd = (
        Decimal(config.gas_per_permit)
        * Decimal(config.stated_gas_gwei)
        * Decimal(config.stated_eth_usd)
        / 10**9
    )
    fee_usd = Decimal(config.min_relayed) * fee_bps / 10_000
    permit_fee_usd = Decimal(config.permit_min) * fee_bps / 10_000
    return {
        "minRelayed": config.min_relayed,
        "minRelayedUnits": str(units(config.min_relayed, decimals)),
        "permitMinQueued": config.permit_min,
        "permitMinQueuedUnits": str(units(config.permit_min, decimals)),
        "permitEverySeconds": config.permit_every,
        "permitAllowance": config.permit_allowance,
        "permitAllowanceUnits": str(units(config.permit_allowance, decimals)),
        "fanPerBatch": config.fan_per_batch,
        "penaltySeconds": config.penalty_seconds,
        "feeBps": fee_bps,
        "gasPerTip": config.gas_per_tip,
        "gasPerPermit": config.gas_per_permit,
        "statedGasPriceGwei": config.stated_gas_gwei,
        "statedEthUsd": config.stated_eth_usd,
        "gasCostPerTipUsd": f"{gas_usd:.6f}",
        "feeAtMinimumUsd": f"{fee_usd:.6f}",
        "gasCostPerPermitUsd": f"{permit_usd:.6f}",
        "feeAtPermitMinimumUsd": f"{permit_fee_usd:.6f}",
        "feeCoversGas": fee_usd >= gas_usd and permit_fee_usd + fee_usd >= permit_usd,
    }
