// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ITransparentFee} from "../interfaces/ITransparentFee.sol";

/// @title FeeSchedule
/// @notice The transparent-fee primitive: a fee in basis points, capped by a constant of the
/// contract that uses it, that falls at once and rises only after a public delay.
/// @dev One storage slot per fee. A scheduled increase is "in force" from `effectiveAt` on without
/// any transaction: readers resolve it lazily, writers fold it in when they next touch the slot.
///
/// This library is the only place that knows how a `Fee` is packed. Contracts that keep a copy of a
/// fee elsewhere (the jar mirrors it into each token's slot) hold it as the opaque 96-bit `packed`
/// value and read it back with `currentOf`.
library FeeSchedule {
    /// @dev One slot, Solidity's packing order (low bits first):
    ///
    ///     bits [0..15]    bps           the fee in force until `effectiveAt`
    ///     bits [16..31]   pendingBps    the increase announced for `effectiveAt`
    ///     bits [32..95]   effectiveAt   when `pendingBps` applies; 0 when nothing is pending
    ///     bits [96..255]  unused (zero)
    struct Fee {
        uint16 bps;
        uint16 pendingBps;
        uint64 effectiveAt;
    }

    /// @notice What `schedule` did.
    enum Change {
        Applied, // a decrease (or the current value): in force at once
        Scheduled // an increase: in force from `effectiveAt`
    }

    uint16 internal constant BPS_DENOMINATOR = 10_000;

    /// @dev The low 96 bits of a `Fee` slot (see the layout above).
    uint256 private constant _PACKED_MASK = (1 << 96) - 1;

    /// @notice The fee in force at this block, from one storage read.
    function current(Fee storage self) internal view returns (uint16) {
        return currentOf(packed(self));
    }

    /// @notice The whole fee as one 96-bit value, from one storage read: what a contract mirrors.
    function packed(Fee storage self) internal view returns (uint96 value) {
        assembly ("memory-safe") {
            value := and(sload(self.slot), _PACKED_MASK)
        }
    }

    /// @notice The fee in force at this block, from a `packed` copy of a `Fee`.
    function currentOf(uint96 value) internal view returns (uint16 bps) {
        assembly ("memory-safe") {
            bps := and(value, 0xffff)
            let effectiveAt := and(shr(32, value), 0xffffffffffffffff)
            if and(iszero(iszero(effectiveAt)), iszero(lt(timestamp(), effectiveAt))) {
                bps := and(shr(16, value), 0xffff)
            }
        }
    }

    /// @notice The pending increase and when it takes effect; zeros if none (or once in force).
    function pending(Fee storage self) internal view returns (uint16 bps, uint64 effectiveAt) {
        Fee memory f = self;
        if (f.effectiveAt != 0 && block.timestamp < f.effectiveAt) return (f.pendingBps, f.effectiveAt);
        return (0, 0);
    }

    /// @notice Set the initial fee (constructor / launch time); no delay since nobody relies on it yet.
    function init(Fee storage self, uint16 bps, uint16 cap) internal {
        if (bps > cap) revert ITransparentFee.FeeAboveCap(bps, cap);
        self.bps = bps;
        self.pendingBps = 0;
        self.effectiveAt = 0;
    }

    /// @notice Schedule a new fee: a decrease (or the current value) applies at once and drops any
    /// pending increase; an increase replaces any pending one and starts a new full `delay`.
    /// @return change what happened, `oldBps` the fee in force before, `effectiveAt` when `bps` applies.
    function schedule(Fee storage self, uint16 bps, uint16 cap, uint64 delay)
        internal
        returns (Change change, uint16 oldBps, uint64 effectiveAt)
    {
        if (bps > cap) revert ITransparentFee.FeeAboveCap(bps, cap);
        oldBps = current(self);
        if (bps <= oldBps) {
            self.bps = bps;
            self.pendingBps = 0;
            self.effectiveAt = 0;
            return (Change.Applied, oldBps, uint64(block.timestamp));
        }
        effectiveAt = uint64(block.timestamp) + delay;
        self.bps = oldBps; // fold in a matured increase, if any
        self.pendingBps = bps;
        self.effectiveAt = effectiveAt;
        return (Change.Scheduled, oldBps, effectiveAt);
    }

    /// @notice Drop the pending increase. Reverts with `NoPendingFee` if none is pending.
    /// @return cancelled the fee that was pending.
    function cancel(Fee storage self) internal returns (uint16 cancelled) {
        (uint16 bps, uint64 at) = pending(self);
        if (at == 0) revert ITransparentFee.NoPendingFee();
        self.pendingBps = 0;
        self.effectiveAt = 0;
        return bps;
    }

    /// @notice `fee = amount * bps / 10_000` rounded down; `net = amount - fee`. Exact: fee + net == amount.
    function split(uint256 amount, uint16 bps) internal pure returns (uint256 fee, uint256 net) {
        fee = feeOn(amount, bps);
        unchecked {
            net = amount - fee; // fee <= amount because bps <= 10_000 is enforced by every cap
        }
    }

    /// @notice `amount * bps / 10_000` rounded down, without overflow for any uint256 amount.
    function feeOn(uint256 amount, uint16 bps) internal pure returns (uint256) {
        // (q * D + r) * bps / D == q * bps + r * bps / D, with q * bps <= amount since bps <= D.
        unchecked {
            // Exact, not lossy: the remainder term restores what the division dropped.
            // slither-disable-next-line divide-before-multiply
            return (amount / BPS_DENOMINATOR) * bps + ((amount % BPS_DENOMINATOR) * bps) / BPS_DENOMINATOR;
        }
    }
}
