#!/usr/bin/env python3
"""Serve a folder on 127.0.0.1 for LinkChecker, which checks sites over HTTP.

    python3 benches/serve.py DIR PORT_FILE [CPU_FILE]

Binds a free loopback port, writes it to PORT_FILE, and serves DIR until SIGTERM; then
writes the CPU seconds it used (user+sys) to CPU_FILE. Every response carries a
`LinkChecker` header: LinkChecker's documented opt-in for servers that accept more than
its default 10 requests a second (its `maxrequestspersecond` setting), so the benchmark
times LinkChecker's checking, not its politeness delay. Python 3.11 stdlib only.
"""

from __future__ import annotations

import functools
import http.server
import os
import signal
import sys


class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real server would

    def end_headers(self) -> None:
        self.send_header("LinkChecker", "benchmark")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hangs up early is not news


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    root, port_file = sys.argv[1], sys.argv[2]
    cpu_file = sys.argv[3] if len(sys.argv) > 3 else None
    handler = functools.partial(Handler, directory=root)
    server = Server(("127.0.0.1", 0), handler)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(tmp, port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if cpu_file:
            t = os.times()
            with open(cpu_file, "w") as f:
                f.write(f"{t.user + t.system:.2f}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
