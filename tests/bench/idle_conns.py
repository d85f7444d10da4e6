#!/usr/bin/env python3
"""Hold many idle keep-alive HTTP/1.1 connections open against a proxy (Vigie benchmark helper).

Opens COUNT TCP connections to 127.0.0.1:PORT, sends one small keep-alive GET on each and reads the
whole response, so every connection is established at the HTTP level and then idle. Then it prints
one JSON line on stdout ("opened", "ok", "failed", error counts) and waits until stdin is closed or
gives a line. Before closing, it checks how many connections the server still holds open and prints
a second JSON line ({"still_open": N, "closed_by_peer": M}). Standard library only.

Usage: idle_conns.py --port PORT [--count N] [--path /] [--timeout SECONDS]
"""

import argparse
import collections
import json
import resource
import select
import socket
import sys


def raise_nofile(needed):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else max(soft, needed)
    if soft < want:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
        except (ValueError, OSError):
            pass
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def read_response(sock):
    """Reads one HTTP/1.1 response; returns (status, keep_alive). Raises on malformed input or EOF."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("eof before response headers")
        buf += chunk
        if len(buf) > 1 << 20:
            raise ValueError("response headers too large")
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
        raise ValueError("bad status line %r" % lines[0][:80])
    status = int(parts[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    keep_alive = headers.get("connection", "").lower() != "close" and parts[0] == "HTTP/1.1"
    if "chunked" in headers.get("transfer-encoding", "").lower():
        while not rest.endswith(b"0\r\n\r\n"):
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("eof inside chunked body")
            rest += chunk
    else:
        length = int(headers.get("content-length", "0"))
        while len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("eof inside body")
            rest += chunk
    return status, keep_alive


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--path", default="/")
    ap.add_argument("--timeout", type=float, default=10.0)
    args = ap.parse_args()

    limit = raise_nofile(args.count + 64)
    request = ("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUser-Agent: vigie-bench-idle\r\n\r\n"
               % (args.path, args.port)).encode()
    socks = []
    errors = collections.Counter()
    statuses = collections.Counter()
    failed = 0
    for _ in range(args.count):
        sock = None
        try:
            sock = socket.create_connection(("127.0.0.1", args.port), timeout=args.timeout)
            sock.sendall(request)
            status, keep_alive = read_response(sock)
            statuses[str(status)] += 1
            if status != 200 or not keep_alive:
                raise ValueError("status %d keep_alive %s" % (status, keep_alive))
            socks.append(sock)
        except Exception as e:  # noqa: BLE001 - every failure is counted and reported, never fatal
            failed += 1
            errors[type(e).__name__ + ": " + str(e)[:80]] += 1
            if sock is not None:
                sock.close()
    print(json.dumps({"requested": args.count, "ok": len(socks), "failed": failed,
                      "statuses": dict(statuses), "errors": dict(errors.most_common(5)),
                      "nofile": limit}), flush=True)

    sys.stdin.readline()  # the caller measures memory now, then releases us

    closed = 0
    for sock in socks:
        sock.setblocking(False)
        readable = poll_one(sock)
        if readable:
            try:
                if sock.recv(1) == b"":
                    closed += 1
            except OSError:
                closed += 1
    print(json.dumps({"still_open": len(socks) - closed, "closed_by_peer": closed}), flush=True)
    for sock in socks:
        sock.close()


def poll_one(sock):
    p = select.poll()
    p.register(sock, select.POLLIN)
    return bool(p.poll(0))


if __name__ == "__main__":
    main()
