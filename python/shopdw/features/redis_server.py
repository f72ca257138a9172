"""A Redis server of its own: Debian's redis-server on 127.0.0.1 and a free port, in memory only."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """`with RedisServer() as redis:` starts redis-server (no persistence) and stops it after."""

    def __init__(self, port: int | None = None, executable: str | None = None):
        self.executable = executable or shutil.which("redis-server")
        if self.executable is None:
            raise FileNotFoundError("redis-server is not installed: apt-get install -y redis-server "
                                    "(or use the SQLite online store: make serve)")
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self._owner = os.getpid()  # a forked child (a server's worker) leaving the block stops nothing
        self._dir = tempfile.TemporaryDirectory(prefix="shop-redis-")

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def __enter__(self) -> RedisServer:
        self.process = subprocess.Popen(
            [self.executable, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--dir", self._dir.name, "--protected-mode", "yes"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited ({self.process.returncode}):\n{self.process.stdout.read()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        self.__exit__(None, None, None)
        raise RuntimeError(f"redis-server did not answer on {self.address} within 20 s")

    def __exit__(self, *exc) -> None:
        if os.getpid() != self._owner:
            return
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._dir.cleanup()
