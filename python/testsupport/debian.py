"""Debian packages a test needs (chromium, redis-server, postgresql): installed with apt-get when
missing, as `make test` promises, so a clean machine needs only Python and make."""

from __future__ import annotations

import shutil
import subprocess


def ensure_package(package: str, program: str) -> str:
    """The path of `program`, installing `package` first when the program is not on PATH."""
    path = shutil.which(program)
    if path is None:
        install = ["apt-get", "install", "-y", "--no-install-recommends", package]
        if subprocess.run(install, capture_output=True, check=False).returncode != 0:
            subprocess.run(["apt-get", "update"], capture_output=True, check=True)
            subprocess.run(install, capture_output=True, check=True)
        path = shutil.which(program)
    if path is None:
        raise FileNotFoundError(f"{program} not found after installing the Debian package {package}")
    return path
