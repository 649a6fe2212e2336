"""A headless Chromium driven over the DevTools protocol: load a page, wait for text, type,
run a script in the page, list the requests it made, screenshot.

Streamlit draws its page over a websocket after the HTML arrives, so a one-shot
`chromium --dump-dom` often sees only placeholders; here we wait (in real time) until the text we
expect is on the page.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from types import TracebackType

from websockets.sync.client import connect

CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--remote-allow-origins=*",
    "--remote-debugging-port=0",
]


def wait_until_healthy(url: str, server: subprocess.Popen, seconds: float = 90) -> bool:
    """Whether the Streamlit server at `url` answers its health check within `seconds`.

    False as soon as the server process has exited, or when time runs out.
    """
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return True
        except OSError:
            time.sleep(0.5)
    return False


def chromium_binary() -> str | None:
    """The Debian `chromium` (or another Chrome) on PATH."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    return None


class Browser:
    """One headless Chromium with one tab."""

    def __init__(self, width: int = 1400, height: int = 1800) -> None:
        binary = chromium_binary()
        if binary is None:
            raise RuntimeError("no chromium on PATH: run scripts/ensure_chromium.sh")
        self.profile = tempfile.mkdtemp(prefix="findings-chromium-")
        self.process = subprocess.Popen(
            [
                binary,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={self.profile}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            # Chromium keeps its singleton socket in a folder of its own under TMPDIR and leaves
            # it behind when stopped: inside the profile, it goes when the profile does.
            env={**os.environ, "TMPDIR": self.profile},
        )
        port = self._devtools_port()
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
        page = next(t for t in targets if t["type"] == "page")
        self.socket = connect(page["webSocketDebuggerUrl"], max_size=2**26)
        self.ids = itertools.count(1)
        self.events: list[dict[str, object]] = []  # what the page reported between replies
        self.call("Page.enable")
        self.call("Network.enable")
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )

    def _devtools_port(self) -> int:
        assert self.process.stderr is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = self.process.stderr.readline()
            if "DevTools listening on ws://" in line:
                return int(line.split("ws://")[1].split("/")[0].rsplit(":", 1)[1])
            if not line and self.process.poll() is not None:
                break
        raise RuntimeError("chromium did not start its DevTools endpoint")

    def call(self, method: str, params: dict[str, object] | None = None) -> dict[str, object]:
        """Send one DevTools command and return its result (events in between are kept)."""
        message_id = next(self.ids)
        self.socket.send(json.dumps({"id": message_id, "method": method, "params": params or {}}))
        while True:
            reply = json.loads(self.socket.recv(timeout=60))
            if reply.get("id") == message_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def requested(self) -> list[str]:
        """Every URL the page has asked for so far (documents, scripts, images, fetches)."""
        return [
            str(event["params"]["request"]["url"])  # type: ignore[index]
            for event in self.events
            if event["method"] == "Network.requestWillBeSent"
        ]

    def before_each_page(self, script: str) -> None:
        """Run `script` in every page this tab loads, before the page's own scripts."""
        self.call("Page.addScriptToEvaluateOnNewDocument", {"source": script})

    def evaluate(self, expression: str) -> object:
        """The value of a JavaScript expression in the page (JSON-serialisable)."""
        result = self.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression[:80]}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def type_into(self, selector: str, text: str, timeout: float = 30) -> None:
        """Focus the input `selector` finds (once drawn), type `text` and press Enter."""
        focus = (
            f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
            " if (e) { e.focus(); } return !!e && document.activeElement === e; })()"
        )
        deadline = time.monotonic() + timeout
        while not self.evaluate(focus):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no element matches {selector!r} after {timeout}s")
            time.sleep(0.5)
        self.call("Input.insertText", {"text": text})
        for kind in ("keyDown", "keyUp"):
            self.call(
                "Input.dispatchKeyEvent",
                {"type": kind, "key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13},
            )

    def open(self, url: str) -> None:
        """Navigate the tab."""
        self.call("Page.navigate", {"url": url})

    def text(self) -> str:
        """The rendered page's visible text."""
        result = self.call(
            "Runtime.evaluate",
            {"expression": "document.body ? document.body.innerText : ''", "returnByValue": True},
        )
        return str(result["result"].get("value", ""))

    def wait_for_text(self, needle: str, timeout: float = 60) -> str:
        """Poll until `needle` is on the page; return the text, or raise with what was seen."""
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.text()
            if needle in text:
                return text
            time.sleep(0.5)
        raise TimeoutError(
            f"{needle!r} not on the page after {timeout}s; it showed: {text[:500]!r}"
        )

    def screenshot(self, path: Path) -> Path:
        """Save a PNG of the tab."""
        shot = self.call("Page.captureScreenshot", {"format": "png"})
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def close(self) -> None:
        """Stop chromium and remove its profile."""
        try:
            self.socket.close()
        finally:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)  # gone before its profile is removed
            shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
