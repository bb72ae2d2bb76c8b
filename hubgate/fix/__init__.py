"""``hubgate check --fix``: mechanical, safe fixes written into the files, formatting kept.

``fixers`` maps rule ids to fixers (finding + document -> edits); ``edits`` writes edits into JSON/YAML
text at the values' spans (``spans``); ``run`` drives a fix run (plan, write, re-check, summary).
"""

from __future__ import annotations

from .run import FixOutcome, fix_paths

__all__ = ["FixOutcome", "fix_paths"]
