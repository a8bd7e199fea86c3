// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IPayouts} from "./IPayouts.sol";

/// @title IRevenueSplit
/// @notice An immutable split of every token it receives between up to `MAX_PAYEES` payees, by
/// shares in basis points summing to `TOTAL_BPS`, paid by pull: anyone may `release(token, payee)`
/// a payee's due, which always goes to `payoutOf(payee)`. A payee (and only it) may point its own
/// future releases elsewhere with `setPayout` (`IPayouts`), e.g. once its address is blacklisted by
/// the token; its share never changes.
interface IRevenueSplit is IPayouts {
    /// @notice `amount` of `token` due to `payee` was sent to `payoutOf(payee)` (the payee itself
    /// unless its latest `PayoutSet` says otherwise; the token's `Transfer` shows the address too).
    event Released(address indexed token, address indexed payee, uint256 amount);

    /// @notice A call to the implementation contract, which holds no shares (splits are its clones).
    error NotAClone();
    /// @notice `account` holds no share of this split.
    error NotPayee(address account);
    /// @notice `payee` has nothing due in `token` now.
    error NothingToRelease(address token, address payee);

    /// @notice The sum of all shares, in basis points (10,000).
    function TOTAL_BPS() external view returns (uint16);

    /// @notice The most payees a split can have (32).
    function MAX_PAYEES() external view returns (uint256);

    /// @notice The payees, in the order given at creation.
    function payees() external view returns (address[] memory);

    /// @notice Each payee's share in basis points, in the order of `payees()`.
    function shares() external view returns (uint16[] memory);

    /// @notice `account`'s share in basis points (0 if it is not a payee).
    function shareOf(address account) external view returns (uint16);

    /// @notice How much of `token` the split has paid out in total.
    function totalReleased(address token) external view returns (uint256);

    /// @notice How much of `token` has been paid out for `payee` (to it or to its payouts).
    function released(address token, address payee) external view returns (uint256);

    /// @notice What `release(token, payee)` would send now.
    function releasable(address token, address payee) external view returns (uint256);

    /// @notice Send `payee`'s due in `token` to `payoutOf(payee)`; anyone may call it. Reverts with
    /// `NotPayee` for a non-payee and `NothingToRelease` when nothing is due.
    /// @return amount what was sent.
    function release(address token, address payee) external returns (uint256 amount);
}
