// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title ITransparentFee
/// @notice The record of a capped, delayed fee (the jar's fee, the market's protocol fee): every
/// change is an event, a fee can never exceed the contract's constant cap, and an increase is in
/// force only a constant delay after it was announced. (A creator token's own fee in the market has
/// the same rules and its own events, which name the token.)
interface ITransparentFee {
    /// @notice An increase from `oldBps` to `newBps`, in force from `effectiveAt` (the public notice).
    event FeeChangeScheduled(uint16 oldBps, uint16 newBps, uint64 effectiveAt);
    /// @notice A decrease (or a re-statement of the fee in force) from `oldBps` to `newBps`, at once;
    /// it also drops any pending increase.
    event FeeChanged(uint16 oldBps, uint16 newBps);
    /// @notice The pending increase to `bps` was cancelled.
    event FeeChangeCancelled(uint16 bps);

    /// @notice A fee of `bps` is above the contract's constant cap `cap`.
    error FeeAboveCap(uint16 bps, uint16 cap);
    /// @notice A cancellation with no increase pending.
    error NoPendingFee();
}
