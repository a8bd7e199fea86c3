// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @notice Test stablecoin whose admin can take funds away, as real stablecoin admins can (USDT's
/// `destroyBlackFunds`, a court-ordered seizure): `wipe` burns part of any account's balance, so a
/// holder's balance can shrink without any action of its own. Also a blacklist (blocks sending and
/// receiving). 6 decimals. Never deploy to a public chain.
contract WipeableToken is ERC20, Ownable {
    mapping(address account => bool) public isBlacklisted;

    event Wiped(address indexed account, uint256 amount);
    event Blacklisted(address indexed account);
    event UnBlacklisted(address indexed account);

    error AccountBlacklisted(address account);

    constructor(address owner_) ERC20("Wipeable USD (mock)", "WUSD") Ownable(owner_) {}

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @notice Create `amount` for `to`. Owner only.
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }

    /// @notice Take `amount` away from `account` (burned). Owner only.
    function wipe(address account, uint256 amount) external onlyOwner {
        _burn(account, amount);
        emit Wiped(account, amount);
    }

    /// @notice Stop `account` from sending or receiving. Owner only.
    function blacklist(address account) external onlyOwner {
        isBlacklisted[account] = true;
        emit Blacklisted(account);
    }

    /// @notice Lift the blacklist on `account`. Owner only.
    function unBlacklist(address account) external onlyOwner {
        isBlacklisted[account] = false;
        emit UnBlacklisted(account);
    }

    /// @dev Transfers to or from a blacklisted account revert; the admin's mints and wipes do not.
    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0) && to != address(0)) {
            if (isBlacklisted[from]) revert AccountBlacklisted(from);
            if (isBlacklisted[to]) revert AccountBlacklisted(to);
        }
        super._update(from, to, value);
    }
}
