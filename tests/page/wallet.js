// A test wallet: an EIP-1193 provider injected into the page (page.add_init_script) that forwards
// to anvil, whose dev accounts are unlocked, so eth_signTypedData_v4 signs and eth_sendTransaction
// sends for real. The test drives it through window.__wallet: which account it shares, which
// chain it claims to be on, whether it rejects requests, hooks run when a signature is asked and before a transaction is sent,
// and a log of every request the page made.
(() => {
  const config = window.__FAIRGIFT_TEST_WALLET__;
  const listeners = {};
  let id = 0;
  const wallet = {
    rpc: config.rpc,
    account: config.account,
    chainOverride: config.chainOverride || null, // a hex chain id the wallet claims until switched
    rejectSign: false,
    rejectSend: false,
    rejectSwitch: false,
    beforeSend: null, // async (tx) => {...}: runs just before eth_sendTransaction is forwarded
    beforeSign: null, // async (params) => {...}: runs when eth_signTypedData_v4 is asked (the prompt)
    log: [],
    sent: [],
    signed: [],
    rpcCall: (method, params) => rpc(method, params),
  };

  async function rpc(method, params) {
    const response = await fetch(wallet.rpc, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params: params || [] }),
    });
    const body = await response.json();
    if (body.error) {
      const error = new Error(body.error.message);
      error.code = body.error.code;
      error.data = body.error.data;
      throw error;
    }
    return body.result;
  }

  function rejected(what) {
    const error = new Error(`User rejected the ${what}.`);
    error.code = 4001;
    return error;
  }

  function emit(event, value) {
    for (const fn of listeners[event] || []) fn(value);
  }

  const provider = {
    isFairGiftTestWallet: true,
    async request({ method, params }) {
      wallet.log.push({ method, params: params === undefined ? null : JSON.parse(JSON.stringify(params)) });
      switch (method) {
        case "eth_requestAccounts":
        case "eth_accounts":
          return wallet.account ? [wallet.account] : [];
        case "eth_chainId":
          return wallet.chainOverride || rpc("eth_chainId");
        case "wallet_switchEthereumChain":
          if (wallet.rejectSwitch) throw rejected("network switch");
          wallet.chainOverride = null;
          emit("chainChanged", params[0].chainId);
          return null;
        case "eth_signTypedData_v4": {
          if (wallet.beforeSign) await wallet.beforeSign(params);
          if (wallet.rejectSign) throw rejected("signature");
          const signature = await rpc(method, params);
          wallet.signed.push(signature);
          return signature;
        }
        case "eth_sendTransaction": {
          if (wallet.rejectSend) throw rejected("transaction");
          const tx = { ...params[0] };
          if (wallet.beforeSend) await wallet.beforeSend(tx);
          const hash = await rpc(method, [tx]);
          wallet.sent.push(hash);
          return hash;
        }
        default:
          return rpc(method, params);
      }
    },
    on(event, fn) {
      (listeners[event] = listeners[event] || []).push(fn);
      return provider;
    },
    removeListener(event, fn) {
      listeners[event] = (listeners[event] || []).filter((f) => f !== fn);
      return provider;
    },
  };
  window.__wallet = wallet;
  window.ethereum = provider;
})();
