// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title ReentrantToken
/// @notice Hostile-token mock: an ERC-20 (6 decimals) that, once armed, calls back into a target
/// contract with arbitrary calldata in the middle of its next `transfer`/`transferFrom` (before
/// or after the balances move, like ERC-777's tokensToSend / tokensReceived hooks). If the
/// callback reverts, its revert data is bubbled up unchanged, so a test sees exactly the error
/// the target raised (e.g. `ReentrancyGuardReentrantCall()`); if it succeeds the transfer goes
/// on and `reentered` records it. Anyone may `mint` and arm (tests only).
contract ReentrantToken is ERC20 {
    address public target;
    bytes public callData;
    bool public hookBefore;
    /// @notice How many callbacks returned successfully (a guarded target never lets one through).
    uint256 public reentered;

    event Armed(address indexed target, bytes callData, bool hookBefore);

    constructor() ERC20("Reentrant USD (mock)", "RUSD") {}

    /// @notice 6 decimals, like USDC.
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @notice Create `value` for `to` (anyone; test only).
    function mint(address to, uint256 value) external {
        _mint(to, value);
    }

    /// @notice On the next transfer (not mint), call `target_` with `data`, once; `before` picks
    /// whether the call happens before or after the balances move. `target_` 0 disarms.
    function arm(address target_, bytes calldata data, bool before) external {
        target = target_;
        callData = data;
        hookBefore = before;
        emit Armed(target_, data, before);
    }

    function _update(address from, address to, uint256 value) internal override {
        bool armed = target != address(0) && from != address(0);
        if (armed && hookBefore) _callBack();
        super._update(from, to, value);
        if (armed && !hookBefore) _callBack();
    }

    function _callBack() private {
        address t = target;
        bytes memory data = callData;
        target = address(0); // once: the callback's own transfers do not re-trigger it
        delete callData;
        (bool ok, bytes memory ret) = t.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
        reentered += 1;
    }
}
