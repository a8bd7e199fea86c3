"""HTTP written by hand, for requests no client library sends (chunked bodies, stalled bodies,
spoofed headers): one request on its own connection, its status, headers and JSON answer."""

from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit


def raw(url: str, lines: list[str], body: bytes = b"", timeout: float = 30) -> tuple[int, dict, dict]:
    """One request written by hand; (status, headers, JSON answer)."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        head = [lines[0], f"Host: {parts.netloc}", "Connection: close", *lines[1:]]
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        data = b""
        try:
            while chunk := sock.recv(65_536):
                data += chunk
        except ConnectionResetError:
            pass
    return parse(data)


def parse(data: bytes) -> tuple[int, dict, dict]:
    head, _, payload = data.partition(b"\r\n\r\n")
    rows = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (r.partition(":") for r in rows[1:])}
    if headers.get("transfer-encoding") == "chunked":
        out = b""
        while payload:
            size_line, _, payload = payload.partition(b"\r\n")
            size = int(size_line.split(b";")[0] or b"0", 16)
            if size == 0:
                break
            out, payload = out + payload[:size], payload[size + 2 :]
        payload = out
    try:
        answer = json.loads(payload)
    except ValueError:
        answer = {"text": payload.decode(errors="replace")}
    return int(rows[0].split(" ", 2)[1]), headers, answer


def post_at_once(url: str, body: dict, posts: int) -> list[tuple[int, dict]]:
    """`posts` threads POST the same JSON `body` to `url` at the same moment (a barrier)."""
    import threading

    from fairgift.bench.harness import post

    go = threading.Barrier(posts)
    answers: list = [None] * posts

    def send(n):
        go.wait()
        answers[n] = post(url, body, timeout=60)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(posts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return answers
