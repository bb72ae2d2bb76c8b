"""What a run created on a server hubgate did not start, recorded by id, so only that is ever removed.

A run against ``--endpoint`` (or a real account) writes a small journal file in hubgate's state directory
(``$HUBGATE_STATE_DIR``, else ``$XDG_STATE_HOME/hubgate``, else ``~/.local/state/hubgate``): each bucket,
user and role it creates, with its identity (a user's or role's unique id, the secret run token a bucket
is tagged with), and what it switched on the server (moto's auth enforcement, with the value to restore).
The run removes each entry as it removes the resource and deletes the file at the end. Only a run that was
killed (SIGKILL, power loss) leaves a journal; ``hubgate prove --cleanup`` reads the journals of that
endpoint and removes exactly what they name, and only when the resource still carries the recorded id:
a bucket or user that merely looks like hubgate's is never touched.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path


def state_dir() -> Path:
    if os.environ.get("HUBGATE_STATE_DIR"):
        return Path(os.environ["HUBGATE_STATE_DIR"])
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "hubgate"


class Journal:
    def __init__(self, endpoint: str, token: str | None = None, path: Path | None = None):
        self.endpoint = endpoint
        self.token = token or secrets.token_hex(12)
        self.path = path or state_dir() / "runs" / f"{self.token}.json"
        self.entries: list[list[str]] = []  # [kind, name, id]
        self.notes: dict[str, str] = {}

    # -- recording -----------------------------------------------------------------------------------
    def add(self, kind: str, name: str, ident: str) -> None:
        """Record (or update) what is about to be created: written *before* the create call with ident
        ``pending`` (a SIGKILL right after the server made it still leaves it findable), then with its id."""
        for e in self.entries:
            if e[0] == kind and e[1] == name:
                e[2] = ident
                break
        else:
            self.entries.append([kind, name, ident])
        self._write()

    def remove(self, kind: str, name: str) -> None:
        self.entries = [e for e in self.entries if not (e[0] == kind and e[1] == name)]
        self._write()

    def note(self, key: str, value: str | None) -> None:
        if value is None:
            self.notes.pop(key, None)
        else:
            self.notes[key] = value
        self._write()

    def _write(self) -> None:
        if not self.entries and not self.notes:
            self.discard()
            return
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump({"endpoint": self.endpoint, "token": self.token, "created": self.entries,
                       "notes": self.notes}, f)
        os.replace(tmp, self.path)

    def discard(self) -> None:
        for p in (self.path, self.path.with_suffix(".tmp")):
            try:
                p.unlink()
            except FileNotFoundError:
                pass

    # -- reading ---------------------------------------------------------------------------------------
    @classmethod
    def pending(cls, endpoint: str) -> list[Journal]:
        """Journals that runs against ``endpoint`` left behind."""
        out = []
        runs = state_dir() / "runs"
        if not runs.is_dir():
            return out
        for p in sorted(runs.glob("*.json")):
            try:
                doc = json.loads(p.read_text())
                if doc.get("endpoint") != endpoint:
                    continue
                j = cls(endpoint, str(doc["token"]), p)
                j.entries = [[str(k), str(n), str(i)] for k, n, i in doc.get("created", [])]
                j.notes = {str(k): str(v) for k, v in (doc.get("notes") or {}).items()}
            except (OSError, ValueError, KeyError, TypeError):
                continue  # not a journal of ours
            out.append(j)
        return out
