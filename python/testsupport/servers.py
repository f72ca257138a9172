"""A server a test starts: its process, once its URL answers, and stopped afterwards."""

from __future__ import annotations

import contextlib
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def serving(command: list[str], url: str, name: str, cwd: Path, env: dict[str, str],
            seconds: float = 60) -> Iterator[subprocess.Popen]:
    """Start `command`, wait until `url` answers (failing with the server's output if it exits
    or stays silent for `seconds`), yield the process, and stop it."""
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + seconds
        while True:
            try:
                with urllib.request.urlopen(url, timeout=1):
                    break
            except OSError:
                if proc.poll() is not None:
                    raise AssertionError(f"{name} exited:\n{proc.stdout.read()}") from None
                if time.monotonic() > deadline:
                    raise AssertionError(f"{name} did not answer within {seconds:g} s") from None
                time.sleep(0.25)
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)
