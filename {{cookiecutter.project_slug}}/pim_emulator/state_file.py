"""The emulator's state on disk: one JSON file under the project's instance folder, so connections, tokens,
catalogs and product edits survive a restart. Deleting the file starts over, like "Reset the emulator".
"""

import json
import os
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

VERSION = 1


class StateFile:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._last_written: str | None = None

    def load(self) -> dict[str, Any]:
        """The saved state, or {} when there is none (or it cannot be read: then it is set aside)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if not isinstance(data, dict) or data.get("version") != VERSION:
            aside = self.path.with_suffix(".unreadable.json")
            os.replace(self.path, aside)
            print(
                f"pim_emulator: {self.path} could not be read; moved to {aside}, starting afresh",
                file=sys.stderr,
            )
            return {}
        self._last_written = text
        return data

    def save(self, collect: Callable[[], dict[str, Any]]) -> None:
        """Write the state `collect` returns if it changed, atomically (a crash never leaves half a file).

        `collect` runs under the file's lock: a request that finished first cannot overwrite the state with an
        older snapshot than the one a later request saw.
        """
        with self._lock:
            text = json.dumps({"version": VERSION, **collect()}, indent=1, sort_keys=True)
            if text == self._last_written:
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                "w", encoding="utf-8", dir=self.path.parent, prefix=".pim_emulator-", delete=False
            ) as handle:
                handle.write(text)
            os.replace(handle.name, self.path)
            self._last_written = text
