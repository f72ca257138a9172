"""A throwaway PostgreSQL cluster on 127.0.0.1 and a free port, for the PostgreSQL test lane.

Uses the machine's PostgreSQL server programs (Debian: /usr/lib/postgresql/<version>/bin, or
SHOP_PG_BIN). initdb refuses to run as root, so as root the cluster runs as the `postgres`
system user, in a folder of its own under the system's temporary folder. Durability is off
(fsync, synchronous_commit, full_page_writes): the cluster lives for one test session.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from testsupport.debian import ensure_package


def server_bin() -> Path:
    """The folder of initdb and pg_ctl."""
    configured = os.environ.get("SHOP_PG_BIN")
    candidates = [Path(configured)] if configured else sorted(
        Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True)
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    if configured:
        raise FileNotFoundError(f"SHOP_PG_BIN={configured} holds no initdb and pg_ctl")
    # Debian's postgresql package puts them in /usr/lib/postgresql/<version>/bin, not on PATH
    ensure_package("postgresql", "psql")
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    raise FileNotFoundError("PostgreSQL server programs (initdb, pg_ctl) not found after installing the "
                            "postgresql package: set SHOP_PG_BIN")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresCluster:
    """initdb + pg_ctl start on enter; pg_ctl stop and the folder removed on exit."""

    def __init__(self, database: str = "shop", port: int | None = None):
        self.database = database
        self.port = port or free_port()
        self.bin = server_bin()
        self.as_postgres = os.geteuid() == 0
        self.root = Path(tempfile.mkdtemp(prefix="shop-pg-"))
        self.builder = "transformer"
        self.builder_password = secrets.token_urlsafe(24)
        self.data = self.root / "data"
        self.log = self.root / "server.log"

    def _run(self, *command: str) -> subprocess.CompletedProcess:
        full = (["runuser", "-u", "postgres", "--"] if self.as_postgres else []) + list(command)
        proc = subprocess.run(full, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            log = self.log.read_text()[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(command)} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}\n{log}")
        return proc

    def env(self) -> dict[str, str]:
        """The environment variables of the profile's postgres target and of the loader: the
        build runs as ``transformer`` (owner of the database, CREATEROLE, not a superuser),
        which logs in with a password, as people do."""
        return {"SHOP_PG_HOST": "127.0.0.1", "SHOP_PG_PORT": str(self.port), "SHOP_PG_USER": self.builder,
                "SHOP_PG_PASSWORD": self.builder_password, "SHOP_PG_DATABASE": self.database}

    def create_login(self, user: str, password: str, member_of: str) -> None:
        """A person's login, member of a group role (the roles the project's grants name)."""
        with self.superuser() as conn, conn.cursor() as cur:
            cur.execute(f'create role "{user}" login password %s in role "{member_of}"', [password])

    def superuser(self):  # noqa: ANN201 - a psycopg2 connection
        """A connection as the cluster's superuser (over the socket folder: trust)."""
        import psycopg2

        conn = psycopg2.connect(host=str(self.root), port=self.port, user="postgres", dbname=self.database)
        conn.autocommit = True
        return conn

    def start(self) -> PostgresCluster:
        if self.as_postgres:
            self.root.chmod(0o755)
            shutil.chown(self.root, "postgres", "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                  "-E", "UTF8", "--locale=C", "--no-sync")
        # the superuser over the socket only; every TCP login needs its password (SCRAM)
        hba = self.data / "pg_hba.conf"
        hba.write_text("local all postgres trust\nhost all all 127.0.0.1/32 scram-sha-256\n")
        if self.as_postgres:
            shutil.chown(hba, "postgres", "postgres")
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c shared_buffers=256MB "
                   "-c work_mem=64MB -c maintenance_work_mem=256MB -c max_wal_size=4GB -c TimeZone=UTC "
                   # parallel plans even for the small test data, as PostgreSQL picks them for real
                   # volumes: what cannot run in a parallel worker fails in the tests too
                   "-c parallel_setup_cost=0 -c parallel_tuple_cost=0 -c min_parallel_table_scan_size=0 "
                   "-c min_parallel_index_scan_size=0")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.log), "-w",
                  "-t", "60", "start")
        self._wait_and_create_database()
        return self

    def _wait_and_create_database(self) -> None:
        import psycopg2

        deadline = time.monotonic() + 30
        while True:
            try:
                conn = psycopg2.connect(host=str(self.root), port=self.port, user="postgres", dbname="postgres")
                break
            except psycopg2.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'create role "{self.builder}" login createrole password %s', [self.builder_password])
            cur.execute(f'create database "{self.database}" owner "{self.builder}"')
        conn.close()

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PostgresCluster:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()
