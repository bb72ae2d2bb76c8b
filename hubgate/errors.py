"""Errors that end in exit code 2: input that cannot be read or is not what it claims to be."""

from __future__ import annotations


class InputError(Exception):
    """Input could not be read or is not a bundle/policy.

    ``str(err)`` is the one-line message printed to the user: it names the file and the problem.
    """

    def __init__(self, file: str, problem: str):
        self.file = str(file)
        self.problem = " ".join(str(problem).split())
        super().__init__(f"{self.file}: {self.problem}")
