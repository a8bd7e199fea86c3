// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title FalseReturnToken
/// @notice Hostile-token mock: signals failure by RETURNING `false` instead of reverting (as some
/// early ERC-20s do). An insufficient balance or allowance returns false and moves nothing; and
/// `setFailAll(true)` makes every `transfer`/`transferFrom` return false, so a payout that worked
/// yesterday fails today. A caller that ignores the return value would credit or debit funds that
/// never moved; SafeERC20 turns the `false` into `SafeERC20FailedOperation(token)`. 6 decimals;
/// anyone may `mint` and toggle (tests only).
contract FalseReturnToken {
    string public constant name = "False-returning USD (mock)";
    string public constant symbol = "FUSD";
    uint8 public constant decimals = 6;

    uint256 public totalSupply;
    bool public failAll;
    mapping(address account => uint256) public balanceOf;
    mapping(address owner => mapping(address spender => uint256)) public allowance;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    event FailAllSet(bool failAll);

    /// @notice Create `value` for `to` (anyone; test only).
    function mint(address to, uint256 value) external {
        totalSupply += value;
        balanceOf[to] += value;
        emit Transfer(address(0), to, value);
    }

    /// @notice When on, every transfer returns false and moves nothing.
    function setFailAll(bool on) external {
        failAll = on;
        emit FailAllSet(on);
    }

    /// @notice Move `value` to `to`; false (not a revert) on failure.
    function transfer(address to, uint256 value) external returns (bool) {
        return _move(msg.sender, to, value);
    }

    /// @notice Move `value` from `from` to `to` with an allowance; false (not a revert) on failure.
    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (failAll || allowed < value || balanceOf[from] < value) return false;
        if (allowed != type(uint256).max) allowance[from][msg.sender] = allowed - value;
        return _move(from, to, value);
    }

    /// @notice Set an allowance.
    function approve(address spender, uint256 value) external returns (bool) {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function _move(address from, address to, uint256 value) private returns (bool) {
        uint256 balance = balanceOf[from];
        if (failAll || balance < value) return false;
        unchecked {
            balanceOf[from] = balance - value;
        }
        balanceOf[to] += value;
        emit Transfer(from, to, value);
        return true;
    }
}
