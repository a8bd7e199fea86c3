"""The abuse benchmark's fans: honest ones tipping through the service, the attackers' kinds of
hostile request (`ATTACK_RATES`), and the fan that front-runs the relayer's batch. `AbuseRun` holds
every observation of one run (`fairgift.bench.abuse` runs it)."""

from __future__ import annotations

import json
import threading
import time

from eth_account import Account
from eth_keys import keys

from fairgift.bench.abuse_clients import client_ip, send, send_json
from fairgift.bench.abuse_report import FRONT_RUN_RATIO, status_mix
from fairgift.bench.harness import ServeProcess
from fairgift.bench.rawchain import calldata, percentile, sign_tip

FANS, RATE, SECONDS = 40, 10.0, 30.0
UNIT = 10**6  # MockUSDC's base units per whole token
# requests per second of each kind of attack in phase 2
ATTACK_RATES = {
    "body 2 MiB (declared length)": 1.0,
    "body 8 MiB (chunked)": 0.5,
    "nested 300,000 [": 1.0,
    "nested 10,000 [ (under the cap)": 1.0,
    "dust tip, fresh address": 4.0,
    "dust tip + permit, 5 units": 2.0,
    "revoke after accepted": 0.5,
    "replay before landing": 1.0,
    "replay after landing": 1.0,
    "tampered signature": 2.0,
}
BODY_PATHS = ("/api/tips", "/api/prepare/tip", "/api/explain")  # what hostile bodies are sent to
POLL_PAUSE = 0.2  # between the poller's rounds over the tips it follows
DRAIN_TIMEOUT = 90.0


# ---------------------------------------------------------------------------------- the run


class AbuseRun:
    """The service, its chain and every observation of one run."""

    def __init__(self, sb, serve: ServeProcess, fans: int):
        from fairgift.relayer.reads import ChainReader

        self.sb, self.serve, self.url = sb, serve, serve.url
        reader = ChainReader(sb.web3, sb.jar)
        self.separator = reader.jar_separator()
        self.domain = reader.jar_domain()
        self.token_separator = reader.token_separator(sb.token)
        self.deadline = int(sb.web3.eth.get_block("latest")["timestamp"]) + 86_400
        self.creators = [Account.create().address for _ in range(10)]
        self.attacker_creator = Account.create().address
        self.lock = threading.Lock()
        self.fans = sb.fund(fans, whole=1_000)
        self.nonces = [0] * fans
        self.follow: dict[str, dict] = {}  # tip id -> {client, accepted, posted, landed, status}
        self.bodies: list[dict] = []  # honest bodies accepted, in order (what replays take)
        self.landed_bodies: list[dict] = []
        self.attacks: dict[str, list] = {kind: [] for kind in ATTACK_RATES}
        self.revoked_at: dict[str, float] = {}
        self.attacker_fans: set[str] = set()
        self.paused: tuple[float, float] | None = None  # the front-run's pause of automine

    # ------------------------------------------------------------------ bodies

    def body(self, key: bytes, fan: str, creator: str, amount: int, message: str, nonce: int, permit=None):
        item = sign_tip(
            key, self.separator, fan, creator, self.sb.token, amount, message, nonce, self.deadline
        )
        body = item.request_body(self.domain["chainId"], self.sb.jar)
        if permit is not None:
            body["permit"] = permit
        return body

    def permit(self, key: bytes, owner: str, value: int, nonce: int) -> dict:
        from fairgift import eip712

        digest = eip712.digest(
            self.token_separator, eip712.permit_struct_hash(owner, self.sb.jar, value, nonce, self.deadline)
        )
        sig = keys.PrivateKey(key).sign_msg_hash(digest)
        signature = eip712.Signature(27 + sig.v, sig.r, sig.s)
        return {
            "value": str(value),
            "deadline": str(self.deadline),
            "signature": "0x" + signature.to_bytes().hex(),
        }

    # ------------------------------------------------------------------ honest fans

    def honest(self, phase: dict):
        def tip(k):
            f = k % len(self.fans)
            with self.lock:
                nonce = self.nonces[f]
                self.nonces[f] += 1
            fan = self.fans[f]
            body = self.body(
                bytes(fan.key),
                fan.address,
                self.creators[k % len(self.creators)],
                UNIT,
                f"honest #{k} ({phase['name']})",
                nonce,
            )
            client = client_ip(1, f)
            posted, posted_wall = time.perf_counter(), time.time()
            for _ in range(30):
                status, res = send_json(self.url, "POST", "/api/tips", body, client=client)
                phase["posts"].append(status)
                if status == 202:
                    with self.lock:
                        self.follow[res["id"]] = {
                            "client": client,
                            "posted": posted,
                            "posted_wall": posted_wall,
                            "accepted": time.perf_counter(),
                            "phase": phase["name"],
                        }
                        self.bodies.append(body)
                    phase["ids"].append(res["id"])
                    return
                if status not in (429, 503):
                    return  # refused outright: counted in the posts' status codes
                time.sleep(0.5)

        return tip

    def poll(self, stop: threading.Event):
        """Follow every accepted tip until it lands or is skipped, each from its own client."""
        while not stop.is_set():
            with self.lock:
                waiting = [(i, f["client"]) for i, f in self.follow.items() if "landed" not in f]
            for tip_id, client in waiting:
                status, view = send_json(self.url, "GET", f"/api/tips/{tip_id}", client=client)
                if status == 200 and view["status"] in ("landed", "skipped"):
                    with self.lock:
                        self.follow[tip_id].update(landed=time.perf_counter(), status=view["status"])
                        if view["status"] == "landed" and self.follow[tip_id].get("phase"):
                            self.landed_bodies.append(tip_id)
            stop.wait(POLL_PAUSE)

    def drain(self, ids: list[str]) -> None:
        deadline = time.perf_counter() + DRAIN_TIMEOUT
        while time.perf_counter() < deadline:
            with self.lock:
                if all("landed" in self.follow[i] for i in ids):
                    return
            time.sleep(0.2)

    def phase_result(self, phase: dict, tips: dict[str, dict]) -> dict:
        """The phase's honest tips: accepted->landed from the relay database (`accepted_at`, and
        `updated_at` when it was marked landed: the relayer's clock, the machine's), posted->landed
        from when the client began to post it; what the polling client saw, apart."""
        with self.lock:
            follow = {i: dict(self.follow[i]) for i in phase["ids"]}
        landed = [i for i in follow if tips.get(i, {}).get("status") == "landed"]
        lat = [tips[i]["updated_at"] - tips[i]["accepted_at"] for i in landed]
        posted = [tips[i]["updated_at"] - follow[i]["posted_wall"] for i in landed]
        seen = [f["landed"] - f["accepted"] for f in follow.values() if f.get("status") == "landed"]
        windows: dict[int, list[float]] = {}
        for i in landed:  # accepted->landed by when the tip was accepted, 5 s windows
            at = int((tips[i]["accepted_at"] - phase["started"]) // 5)
            windows.setdefault(at, []).append(tips[i]["updated_at"] - tips[i]["accepted_at"])
        return {
            "name": phase["name"],
            "honest": {
                "tips_sent": phase["sent"],
                "accepted": len(follow),
                "landed": len(landed),
                "skipped": sum(1 for i in follow if tips.get(i, {}).get("status") == "skipped"),
                "latency_p50_s": round(percentile(lat, 0.5), 3),
                "latency_p95_s": round(percentile(lat, 0.95), 3),
                "latency_max_s": round(max(lat, default=0.0), 3),
                "posted_p50_s": round(percentile(posted, 0.5), 3),
                "posted_p95_s": round(percentile(posted, 0.95), 3),
                "seen_by_poller_p50_s": round(percentile(seen, 0.5), 3),
                "seen_by_poller_p95_s": round(percentile(seen, 0.95), 3),
                "post": status_mix(phase["posts"]),
                "by_5s": [
                    {
                        "from_s": 5 * w,
                        "tips": len(v),
                        "p50_s": round(percentile(v, 0.5), 2),
                        "max_s": round(max(v), 2),
                    }
                    for w, v in sorted(windows.items())
                ],
            },
        }

    # ------------------------------------------------------------------ attackers

    def attackers(self, seconds: float) -> dict:
        """kind -> fn(k), each sending one hostile request (and recording what it got)."""
        url = self.url
        big = b'{"x": "' + b"a" * (2 * 2**20) + b'"}'
        huge = b'{"x": "' + b"a" * (8 * 2**20) + b'"}'
        deep, deep_small = b"[" * 300_000, b"[" * 10_000
        funded_dust = self.dust_holders(20)
        revokers = self.sb.fund(int(ATTACK_RATES["revoke after accepted"] * seconds) + 2, whole=10)
        self.attacker_fans |= {f.address.lower() for f in revokers}
        self.attacker_fans |= {f.address.lower() for f in funded_dust}

        def record(kind, status):
            self.attacks[kind].append(status)

        def body_attack(kind, payload, chunked=False):
            def fn(k):
                status, _ = send(
                    url,
                    "POST",
                    BODY_PATHS[k % len(BODY_PATHS)],
                    payload,
                    client=client_ip(66, 1 + list(ATTACK_RATES).index(kind)),
                    chunked=chunked,
                    timeout=30,
                )
                record(kind, status)

            return fn

        def dust(k):
            fan = Account.create()
            self.attacker_fans.add(fan.address.lower())
            body = self.body(bytes(fan.key), fan.address, self.attacker_creator, 1, "dust", 0)
            record(
                "dust tip, fresh address",
                send_json(url, "POST", "/api/tips", body, client=client_ip(66, 20))[0],
            )

        def dust_permit(k):
            fan = funded_dust[k % len(funded_dust)]
            permit = self.permit(bytes(fan.key), fan.address, 5, 0)
            body = self.body(bytes(fan.key), fan.address, self.attacker_creator, 1, "dust", k, permit)
            status = send_json(url, "POST", "/api/tips", body, client=client_ip(66, 21))[0]
            record("dust tip + permit, 5 units", status)

        def revoke(k):
            fan = revokers[k]
            key = "0x" + bytes(fan.key).hex()
            body = self.body(bytes(fan.key), fan.address, self.attacker_creator, UNIT, "then revoke", 0)
            status, res = send_json(url, "POST", "/api/tips", body, client=client_ip(66, 22))
            record("revoke after accepted", status)
            if status == 202:
                with self.lock:
                    self.follow[res["id"]] = {"client": client_ip(66, 22), "accepted": time.perf_counter()}
            tx = self.sb.raw.send(
                key, self.sb.token, calldata(self.sb.fg.usdc.approve, self.sb.jar, 0), 100_000
            )
            self.sb.raw.wait(tx)
            self.revoked_at[fan.address.lower()] = time.time()

        def replay(kind, source):
            def fn(k):
                with self.lock:
                    pool = list(source())
                if not pool:
                    return  # nothing to replay yet (not a request)
                status, res = send_json(
                    url, "POST", "/api/tips", pool[-1 - k % min(5, len(pool))], client=client_ip(66, 23)
                )
                # the same signed tip again is the retry it looks like: 202 with the existing id
                # and "duplicate", never a second tip
                record(kind, f"{status} duplicate" if status == 202 and res.get("duplicate") else status)

            return fn

        def landed_bodies():
            ids = set(self.landed_bodies)
            return [b for b in self.bodies if _tip_id(b, self) in ids]

        def tampered(k):
            with self.lock:
                if not self.bodies:
                    return  # nothing to tamper with yet (not a request)
                body = json.loads(json.dumps(self.bodies[-1 - k % min(5, len(self.bodies))]))
            change = k % 4
            if change == 0:
                body["tip"]["amount"] = str(int(body["tip"]["amount"]) * 10)
            elif change == 1:
                body["tip"]["creator"] = self.attacker_creator
            elif change == 2:
                sig = bytearray(bytes.fromhex(body["signature"][2:]))
                sig[40] ^= 0x01  # a bit of s
                body["signature"] = "0x" + sig.hex()
            else:
                body["tip"]["nonce"] = str(int(body["tip"]["nonce"]) + 1000)
            record(
                "tampered signature", send_json(url, "POST", "/api/tips", body, client=client_ip(66, 24))[0]
            )

        return {
            "body 2 MiB (declared length)": body_attack("body 2 MiB (declared length)", big),
            "body 8 MiB (chunked)": body_attack("body 8 MiB (chunked)", huge, chunked=True),
            "nested 300,000 [": body_attack("nested 300,000 [", deep),
            "nested 10,000 [ (under the cap)": body_attack("nested 10,000 [ (under the cap)", deep_small),
            "dust tip, fresh address": dust,
            "dust tip + permit, 5 units": dust_permit,
            "revoke after accepted": revoke,
            "replay before landing": replay("replay before landing", lambda: self.bodies),
            "replay after landing": replay("replay after landing", landed_bodies),
            "tampered signature": tampered,
        }

    def dust_holders(self, count: int) -> list:
        """Fresh addresses holding 5 base units of the stablecoin and no ether."""
        holders = [Account.create() for _ in range(count)]
        sent = [
            self.sb.raw.send(
                self.sb.owner.private_key, self.sb.token, calldata(self.sb.mock.mint, h.address, 5), 100_000
            )
            for h in holders
        ]
        for tx in sent:
            assert self.sb.raw.wait(tx)["status"] == 1
        return holders

    # ------------------------------------------------------------------ the front-runner

    def front_run(self, relayer: str) -> dict:
        """A fan whose tip is accepted revokes its allowance once the relayer's batch carrying it is
        in the pool (automine paused), with a higher priority fee; one block mines both."""
        sb, web3 = self.sb, self.sb.web3
        (fan,) = sb.fund(1, whole=10)
        key = "0x" + bytes(fan.key).hex()
        self.attacker_fans.add(fan.address.lower())
        approve = calldata(sb.fg.usdc.approve, sb.jar, 0)
        sb.raw.wait(sb.raw.send(key, sb.token, approve, 100_000))  # from zero: its approval is measured
        own = int(
            sb.raw.wait(
                sb.raw.send(key, sb.token, calldata(sb.fg.usdc.approve, sb.jar, 2**256 - 1), 100_000)
            )["gasUsed"]
        )
        body = self.body(bytes(fan.key), fan.address, self.attacker_creator, UNIT, "front-run", 0)
        status, res = send_json(self.url, "POST", "/api/tips", body, client=client_ip(66, 30))
        if status != 202:
            return {"reproduced": False, "why": f"its tip got {status}"}
        with self.lock:
            self.follow[res["id"]] = {"client": client_ip(66, 30), "accepted": time.perf_counter()}
        needle = fan.address[2:].lower()
        rpc = sb.chain.provider.make_request
        rpc("evm_setAutomine", [False])
        paused = time.perf_counter()
        batch = revoke_hash = None
        try:
            deadline = time.perf_counter() + 20
            while time.perf_counter() < deadline and batch is None:
                pool = rpc("txpool_content", [])
                pool = pool.get("result", pool) if isinstance(pool, dict) else {}
                sent = {k.lower(): v for k, v in (pool.get("pending") or {}).items()}.get(relayer.lower(), {})
                for tx in sent.values():
                    if needle in tx["input"].lower():
                        batch = tx
                    else:  # an earlier batch without the fan's tip: let it through
                        rpc("evm_mine", [])
                time.sleep(0.02)
            if batch is not None:
                fee = int(batch["maxPriorityFeePerGas"], 16) * 4 + 10**9
                tx = {
                    "to": sb.token,
                    "data": "0x" + approve.hex(),
                    "nonce": web3.eth.get_transaction_count(fan.address, "pending"),
                    "gas": 100_000,
                    "maxFeePerGas": int(batch["maxFeePerGas"], 16) + fee,
                    "maxPriorityFeePerGas": fee,
                    "chainId": web3.eth.chain_id,
                }
                raw = Account.sign_transaction(tx, key).raw_transaction
                revoke_hash = web3.eth.send_raw_transaction(raw)
            rpc("evm_mine", [])
        finally:
            rpc("evm_setAutomine", [True])
        self.paused = (paused, time.perf_counter())  # no block mined in between
        if batch is None:
            return {"reproduced": False, "why": "the relayer's batch with its tip never reached the pool"}
        revoked = web3.eth.get_transaction_receipt(revoke_hash)
        mined = sb.raw.wait(batch["hash"])
        self.revoked_at[fan.address.lower()] = time.time()
        first = (
            revoked["blockNumber"] == mined["blockNumber"]
            and revoked["transactionIndex"] < mined["transactionIndex"]
        )
        own += int(revoked["gasUsed"])
        time.sleep(1.0)  # the relayer settles the batch from its receipt
        again = self.body(bytes(fan.key), fan.address, self.attacker_creator, UNIT, "front-run again", 1)
        after = send_json(self.url, "POST", "/api/tips", again, client=client_ip(66, 30))[0]
        return {
            "reproduced": bool(first),
            "why": None if first else "the revocation was not mined in front of the batch",
            "block": int(mined["blockNumber"]),
            "batch_tx": "0x" + bytes(mined["transactionHash"]).hex(),
            "batch_status": int(mined["status"]),
            "batch_gas": int(mined["gasUsed"]),
            "attacker_gas": own,
            "after_status": after,
            "target_ratio": FRONT_RUN_RATIO,
            "automine_paused_s": round(self.paused[1] - self.paused[0], 2),
        }


def _tip_id(body: dict, run: AbuseRun) -> str:
    from fairgift import eip712

    t = body["tip"]
    struct = eip712.tip_struct_hash(
        t["fan"],
        t["creator"],
        t["token"],
        int(t["amount"]),
        t["message"],
        int(t["nonce"]),
        int(t["deadline"]),
    )
    return "0x" + eip712.digest(run.separator, struct).hex()
