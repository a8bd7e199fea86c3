// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title MockDecimalsToken
/// @notice A plain ERC-20 with any number of decimals, set at deployment: 2 (below the 6 the
/// allow-list requires; e.g. a token quoted in cents), 0, or 18 (a DAI-like stablecoin). Anyone may
/// `mint` (tests only).
contract MockDecimalsToken is ERC20 {
    uint8 private immutable _decimals;

    constructor(string memory name_, string memory symbol_, uint8 decimals_) ERC20(name_, symbol_) {
        _decimals = decimals_;
    }

    /// @notice The decimals chosen at deployment.
    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    /// @notice Create `value` for `to` (anyone; test only).
    function mint(address to, uint256 value) external {
        _mint(to, value);
    }
}
