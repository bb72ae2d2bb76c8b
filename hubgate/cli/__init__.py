"""Command line: ``hubgate check|rules|explain|manifest|prove|signing|snapshot``, one module per command.

``cli`` is the click group and ``main`` the console script's entry point (``hubgate = "hubgate.cli:main"``).
Shared options live in :mod:`hubgate.cli.options`; the output formats come from ``hubgate.reporters.FORMATS``.
"""

from .app import cli, main

__all__ = ["cli", "main"]
