"""Command line: ``hubgate check|rules|explain|manifest|prove|signing|snapshot``, one module per command.

``cli`` is the click group, ``main`` runs it as a program (exit codes, Ctrl-C) and ``run`` is the console script's
entry point (``hubgate = "hubgate.cli:run"``): ``main``, ending a finished check without the interpreter's
teardown.
Shared options live in :mod:`hubgate.cli.options`; the output formats come from ``hubgate.reporters.FORMATS``.
"""

from .app import cli, main, run

__all__ = ["cli", "main", "run"]
