"""Errors that end in exit code 2: input that cannot be read or is not what it claims to be."""

from __future__ import annotations

from . import redact


class InputError(Exception):
    """Input could not be read or is not a bundle/policy.

    ``str(err)`` is the one-line message printed to the user: it names the file and the problem. Both go
    through ``hubgate.redact`` when read (a secret registered after the error was raised is masked too).
    """

    def __init__(self, file: str, problem: str):
        self._file = str(file)
        self._problem = " ".join(str(problem).split())
        super().__init__(redact.clean(f"{self._file}: {self._problem}"))

    @property
    def file(self) -> str:
        return redact.escape_controls(redact.clean(self._file))

    @property
    def problem(self) -> str:
        return redact.escape_controls(redact.clean(self._problem))

    def __str__(self) -> str:
        return f"{self.file}: {self.problem}"
