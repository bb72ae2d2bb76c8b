"""``python -m hubgate.cli``: the same as the ``hubgate`` command."""

from .app import main

main()
