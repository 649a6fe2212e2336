"""A local Prefect server for `findings serve`, bound to 127.0.0.1, stopped on exit."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.errors import PrefectServerError


@contextmanager
def local_prefect_server(port: int = 4200, timeout_s: float = 90.0) -> Iterator[str]:
    """Start `prefect server start` on 127.0.0.1:port, point this process at it, yield its URL."""
    api = f"http://127.0.0.1:{port}/api"
    prefect = Path(sys.executable).with_name("prefect")
    env = os.environ | {"PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    process = subprocess.Popen(
        [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                with urllib.request.urlopen(f"{api}/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise PrefectServerError(
                    f"the local Prefect server on port {port} did not start "
                    f"(is the port taken? try --port)"
                )
            time.sleep(0.5)
        os.environ["PREFECT_API_URL"] = api
        yield api
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


class TemporaryApi:
    """Prefect's temporary API, starting in the background while a command gets ready.

    With no Prefect server configured, a flow's first call starts a temporary local API (a
    uvicorn process, about 5 s on 2 cores) and waits for it. Started here instead, it boots while
    the command imports the stages and checks its inputs; `wait` is called before the flow.
    Where an API is configured (PREFECT_API_URL, a test harness) nothing is started.
    """

    def __init__(self) -> None:
        from pipeline.settings import PREFECT_DEFAULTS

        for name, value in PREFECT_DEFAULTS.items():
            os.environ.setdefault(name, value)
        from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

        self._thread: threading.Thread | None = None
        # Read here: Prefect's settings context belongs to this thread.
        if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
            return
        from prefect.server.api.server import SubprocessASGIServer

        self._server = SubprocessASGIServer()
        self._thread = threading.Thread(target=self._start, name="prefect-api", daemon=True)
        self._thread.start()

    def _start(self) -> None:
        # A failed start is left for the flow, which starts the API itself and says what failed.
        with contextlib.suppress(Exception):
            self._server.start()

    @property
    def started(self) -> bool:
        """Whether this command started the temporary API (none was configured)."""
        return self._thread is not None

    def wait(self) -> None:
        """Return once the API is up (or its start has failed); at once if none was started."""
        if self._thread is not None:
            self._thread.join()
