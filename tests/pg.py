"""A real, throw-away PostgreSQL server for tests (no mocks: the archive must work on the real thing).

DIGITIZER_TEST_PG_URL set: use that server. Otherwise initdb a cluster in a temp dir from Debian's
binaries (/usr/lib/postgresql/*/bin) and start it on 127.0.0.1 with a free port, its unix socket in
the temp dir. PostgreSQL refuses to run as root, so as root the cluster belongs to the ``postgres``
system user (runuser). Without binaries the caller skips, unless DIGITIZER_TEST_REQUIRE_PG is set
(CI), where a skipped database would hide a broken backend.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class Unavailable(RuntimeError):
    """No PostgreSQL here to start: the postgresql tests skip with this reason."""


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A temporary server: its URL, and stop() to take it away mid-test (an archive lost mid-run)."""

    def __init__(self, url: str, stop) -> None:
        self.url, self._stop, self.stopped = url, stop, False

    def stop(self) -> None:
        if not self.stopped:
            self.stopped = True
            self._stop()


@contextmanager
def postgres_url() -> Iterator[str]:
    """The URL of a running server for the duration of the block (a temporary one is stopped and
    deleted afterwards). Raises Unavailable when there is nothing to start."""
    if os.environ.get("DIGITIZER_TEST_PG_URL"):
        yield os.environ["DIGITIZER_TEST_PG_URL"]
        return
    with postgres_server() as server:
        yield server.url


@contextmanager
def postgres_server() -> Iterator[Server]:
    """A temporary server of this test's own (never DIGITIZER_TEST_PG_URL's, which a test must not
    stop). Raises Unavailable when there is nothing to start."""
    bin_dir = _bin_dir()
    if bin_dir is None:
        raise Unavailable("no PostgreSQL binaries (apt-get install postgresql) and DIGITIZER_TEST_PG_URL unset")
    prefix: list[str] = []
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            raise Unavailable("running as root and there is no 'postgres' user to run the server as") from None
        prefix = ["runuser", "-u", "postgres", "--"]
    tmp = Path(tempfile.mkdtemp(prefix="digitizer-pg-"))
    data, sockets, log = tmp / "data", tmp / "sock", tmp / "server.log"
    sockets.mkdir()
    if prefix:
        for p in (tmp, sockets):
            os.chown(p, user.pw_uid, user.pw_gid)
    port = _free_port()

    def run(*args: str) -> None:
        done = subprocess.run([*prefix, *args], check=False, capture_output=True, text=True, timeout=120)
        if done.returncode:
            server_log = log.read_text(errors="replace") if log.exists() else ""
            raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}\n{server_log}")

    try:
        run(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
            "--locale=C", "--no-sync")
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets} -c fsync=off -c synchronous_commit=off"
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "60", "start")
        server = Server(f"postgresql://postgres@127.0.0.1:{port}/postgres",
                        lambda: run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"))
        try:
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def required() -> bool:
    """CI sets DIGITIZER_TEST_REQUIRE_PG=1: there a missing server is an error, not a skip."""
    return os.environ.get("DIGITIZER_TEST_REQUIRE_PG", "") not in ("", "0")
