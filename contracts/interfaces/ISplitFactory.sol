// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title ISplitFactory
/// @notice Deploys `IRevenueSplit`s cheaply: each split is a minimal clone of one implementation,
/// with its payees and shares validated here and written into the clone's bytecode (immutable
/// arguments), so a split is created, complete and unchangeable in a single transaction.
interface ISplitFactory {
    /// @notice `creator` created `split`, paying `payees[i]` `sharesBps[i]` / 10,000.
    event SplitCreated(address indexed split, address indexed creator, address[] payees, uint16[] sharesBps);

    /// @notice A split has 1 to 32 payees, not `count`.
    error InvalidPayeeCount(uint256 count);
    /// @notice `payees` and `shares` differ in length.
    error LengthMismatch(uint256 payees, uint256 shares);
    /// @notice Payee `index` is the zero address.
    error ZeroPayee(uint256 index);
    /// @notice `payee` appears twice.
    error DuplicatePayee(address payee);
    /// @notice `payee` has a zero share.
    error ZeroShare(address payee);
    /// @notice The shares add up to `sum` basis points, not 10,000.
    error SharesSumMismatch(uint256 sum);

    /// @notice The RevenueSplit implementation every split delegates to.
    function implementation() external view returns (address);

    /// @notice Create a split paying `payees[i]` `sharesBps[i]` / 10,000 of everything it receives:
    /// 1 to 32 distinct non-zero payees, every share positive, shares summing to 10,000.
    /// @return split the new split's address.
    function createSplit(address[] calldata payees, uint16[] calldata sharesBps) external returns (address split);

    /// @notice `createSplit` at the CREATE2 address `predictSplit(payees, sharesBps, salt)`.
    function createSplitDeterministic(address[] calldata payees, uint16[] calldata sharesBps, bytes32 salt)
        external
        returns (address split);

    /// @notice The address `createSplitDeterministic(payees, sharesBps, salt)` deploys to.
    function predictSplit(address[] calldata payees, uint16[] calldata sharesBps, bytes32 salt)
        external
        view
        returns (address);
}
