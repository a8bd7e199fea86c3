// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title IPayouts
/// @notice Where an account's money goes: every FairGift contract that owes an account money (the
/// jar's and the market's credits, a split's releases) pays it to `payoutOf(account)`, which the
/// account itself, and only it, can point elsewhere, e.g. when it cannot receive the token any more
/// (a blacklisted address) or to route its income into a `RevenueSplit`.
/// @dev One declaration for the jar, the market and the split, so `PayoutSet` means the same
/// everywhere.
interface IPayouts {
    /// @notice `account` chose where its money goes from now on: `payout` is that address, and is
    /// `account` itself after a reset (`setPayout(address(0))` or `setPayout(account)`), never zero.
    event PayoutSet(address indexed account, address payout);

    /// @notice `payout` cannot receive anyone's money here: it is this contract itself, where a
    /// payment would strand the funds.
    error InvalidPayout(address payout);

    /// @notice Send the caller's future payments to `payout`; `address(0)` (or the caller) resets it
    /// to the caller itself. Takes effect for everything not yet paid, including what is already owed.
    function setPayout(address payout) external;

    /// @notice Where `account`'s payments go: the address it set, else `account` itself.
    function payoutOf(address account) external view returns (address);
}
