"""``python -m hubgate``: the same as the ``hubgate`` command."""

from .cli import run

run()
