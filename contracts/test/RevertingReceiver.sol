// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title RevertingReceiver
/// @notice Hostile-actor mock: a contract account that rejects every incoming call and every
/// ETH transfer (`receive` and `fallback` revert with `Rejected`), to stand as a creator, payout
/// address or treasury that cannot take a push. Its operator can still act through it with
/// `execute` (launch, setPayout, withdraw, ...), so the only thing it refuses is being paid by a
/// callback. For ERC-20 pulls the equivalent hostile case is a token-level rejection, covered by
/// MockUSDC's blacklist.
contract RevertingReceiver {
    address public immutable operator;

    error Rejected(address from, uint256 value, bytes4 selector);
    error NotOperator(address caller);

    constructor(address operator_) {
        operator = operator_;
    }

    /// @notice Call `target` with `data` as this contract; reverts bubble up unchanged.
    function execute(address target, bytes calldata data) external returns (bytes memory ret) {
        if (msg.sender != operator) revert NotOperator(msg.sender);
        bool ok;
        (ok, ret) = target.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
    }

    receive() external payable {
        revert Rejected(msg.sender, msg.value, bytes4(0));
    }

    fallback() external payable {
        revert Rejected(msg.sender, msg.value, msg.sig);
    }
}
