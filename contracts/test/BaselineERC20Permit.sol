// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title BaselineERC20Permit
/// @notice The benchmark's yardstick for a token launch: a full standalone OpenZeppelin ERC-20 with
/// EIP-2612 permit (and ERC-5267 `eip712Domain()`), deployed with its own bytecode and compiled with
/// the project's settings (solc 0.8.30, optimizer, runs and EVM version from ape-config.yaml).
/// @dev Nothing is minted in the constructor, like a creator token launched without an initial buy.
contract BaselineERC20Permit is ERC20, ERC20Permit {
    constructor(string memory name_, string memory symbol_) ERC20(name_, symbol_) ERC20Permit(name_) {}
}
