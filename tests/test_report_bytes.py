"""A report written into a pipe or a file goes out as bytes at once: the same bytes click wrote from the text."""

from __future__ import annotations

import subprocess
import sys

import pytest

_WRITE = r"""
import sys
from hubgate.masking import register
from hubgate.output import write_report
register("s3cr3t-value-xyz")
write_report(sys.argv[1].encode("utf-8", "surrogateescape").decode("unicode_escape"), None, color=False)
"""


@pytest.mark.parametrize("text", [
    r"plain {\"a\": 1}\n",
    r"caf\u00e9 \U0001f600 and a lone \ud800 surrogate\n",
    r"a secret s3cr3t-value-xyz in a message\n",
    r"\x1b[31mred\x1b[0m, stripped by click as before\n",
])
def test_the_bytes_are_what_the_text_path_wrote(text):
    out = subprocess.run([sys.executable, "-c", _WRITE, text], capture_output=True, timeout=60, check=True).stdout
    expected = text.encode("utf-8").decode("unicode_escape")
    expected = expected.replace("s3cr3t-value-xyz", "****").replace("\x1b[31m", "").replace("\x1b[0m", "")
    assert out == expected.encode("utf-8", "backslashreplace")
