// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {IERC3009, IERC3009Cancel} from "@openzeppelin/contracts/interfaces/draft-IERC3009.sol";
import {IERC5267} from "@openzeppelin/contracts/interfaces/IERC5267.sol";

/// @title IStablecoin
/// @notice What FairGift needs from a USD stablecoin such as USDC, and nothing more:
///
/// - ERC-20 with metadata (`decimals` decides how gift prices scale; the jar accepts 6 to 36);
/// - EIP-2612 `permit`, for `TipJar.tipWithPermit` and the tooling's approval-free tips;
/// - EIP-3009 `transferWithAuthorization` / `receiveWithAuthorization` / `cancelAuthorization`,
///   for `TipJar.tipWithAuthorization` (the jar calls `receiveWithAuthorization`, which only the
///   payee may submit, so a front-runner cannot consume a fan's authorization elsewhere);
/// - ERC-5267 `eip712Domain`, from which the tooling reads the signing domain of permits and
///   authorizations (USDC's domain name differs by network).
///
/// @dev The tooling talks to "any stablecoin" through this interface's ABI, never through the
/// local mock's (`contracts/test/MockUSDC.sol`, which implements it). A token lacking a part only
/// loses the paths that use it: a plain ERC-20 still takes `tip` and `sendGift`. Stablecoins'
/// own errors (blacklists, pauses) differ between issuers and are not part of this interface.
interface IStablecoin is IERC20Metadata, IERC20Permit, IERC3009, IERC3009Cancel, IERC5267 {}
