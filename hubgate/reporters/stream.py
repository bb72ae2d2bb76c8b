"""Writing a report while the findings are still coming (``hubgate manifest``): nothing is kept in memory.

Every format gives the text its reporter gives for the same single-file report (json: the same document;
sarif, github: the same text; junit: the same text, its testcases held in a temporary file until the counts
of the root element are known; text: plain lines, without colour).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from importlib import import_module
from json.encoder import encode_basestring as _enc
from typing import TextIO

from . import FORMATS, Report
from .json_out import flat_json, pretty_json


class Stream:
    """Findings written as found, for one input file (``file``) in ``fmt``, to ``out``.

    ``mask`` is applied to every piece of text before it is written (secrets of the bundle). ``finding`` is
    the format's own writer, chosen once here.
    """

    def __init__(self, fmt: str, out: TextIO, file: str, mask: Callable[[str], str] | None = None):
        self.fmt = fmt
        self.out = out
        self.file = file
        self.mask = mask
        self.n = 0
        if fmt not in FORMATS:  # the one registry of formats, as for render
            raise ValueError(f"unknown format {fmt!r}")
        # the format's reporter module, imported only for the formats that write through it (text streams
        # plain lines without rich; json writes its own pieces)
        reporter = import_module(f"{__package__}.{FORMATS[fmt]}") if fmt in ("github", "sarif", "junit") else None
        if fmt == "json":
            self._write('{\n  "findings": [')
            self.finding = self._json
        elif fmt == "text":
            self.finding = self._text
        elif fmt == "github":
            self._github = reporter
            self.finding = self._github_line
        elif fmt == "sarif":
            self._sarif = reporter
            self._driver, self._index = reporter._driver()  # tool.driver and each rule id's index in it
            self.finding = self._sarif_result
        else:  # junit
            self._junit = reporter
            self._cases = tempfile.TemporaryFile("w+", encoding="utf-8")  # until the root's counts are known
            self.finding = self._junit_case

    def _write(self, text: str) -> None:
        self.out.write(self.mask(text) if self.mask else text)

    def _json(self, f) -> None:
        text = None
        if type(f.line) is int and type(f.column) is int and f.suppressed is None:  # the usual finding, in one piece
            try:
                text = ('{\n      "rule": ' + _enc(f.rule) + ',\n      "severity": ' + _enc(f.severity)
                        + ',\n      "message": ' + _enc(f.message) + ',\n      "file": ' + _enc(f.file)
                        + ',\n      "pointer": ' + _enc(f.pointer) + ',\n      "line": ' + int.__repr__(f.line)
                        + ',\n      "column": ' + int.__repr__(f.column)
                        + ',\n      "fix": ' + ("null" if f.fix is None else _enc(f.fix))
                        + ',\n      "help": ' + ("null" if f.help is None else _enc(f.help)) + "\n    }")
            except TypeError:  # a field that is no string (flat_json renders it)
                text = None
        self._write(("\n    " if self.n == 0 else ",\n    ") + (text or flat_json(f.to_dict())))
        self.n += 1

    def _text(self, f) -> None:
        where = f.file + (f":{f.line}:{f.column}" if f.line else "")
        self._write(f"{where} {f.severity} {f.rule} {f.message} ({f.pointer or '/'})\n"
                    + (f"    fix: {f.fix}\n" if f.fix else ""))
        self.n += 1

    def _github_line(self, f) -> None:
        self._write(self._github.line(f) + "\n")
        self.n += 1

    def _sarif_result(self, f) -> None:
        sarif = self._sarif
        if self.n == 0:
            self._write(sarif.split_document(self._driver, [])[0])
        text = pretty_json(sarif.result(f, self._index), sarif.RESULT_INDENT // 2)
        self._write(("" if self.n == 0 else ",\n" + " " * sarif.RESULT_INDENT) + text)
        self.n += 1

    def _junit_case(self, f) -> None:
        text = self._junit.case_text(f)
        self._cases.write(self.mask(text) if self.mask else text)
        self.n += 1

    def close(self, errors: list, counts: dict) -> None:
        """The end of the report: summary, input errors (``InputError``), closing brackets."""
        fmt = self.fmt
        summary = {"files": 1, "findings": self.n, **{k: counts.get(k, 0) for k in ("error", "warning", "info")},
                   "suppressed": 0, "input_errors": len(errors)}
        if fmt == "json":
            tail = {"summary": summary}
            if errors:
                tail["errors"] = [{"file": e.file, "message": e.problem} for e in errors]
            rest = json.dumps(tail, indent=2, ensure_ascii=False)[1:]
            self._write(("\n  ]," if self.n else "],") + rest + "\n")
        elif fmt == "text":
            for e in errors:
                self._write(f"{e.file} input error {e.problem}\n")
            parts = [f"{Report('manifest', [], files=1).checked()} checked", f"{summary['error']} error(s)", f"{summary['warning']} warning(s)",
                     f"{summary['info']} info"]
            if errors:
                parts.append(f"{len(errors)} unreadable input(s)")
            self._write(("\n" if self.n or errors else "") + ", ".join(parts) + "\n")
        elif fmt == "github":
            for e in errors:
                self._write(self._github.error_line(e) + "\n")
        elif fmt == "sarif":
            if self.n:
                self._write(self._sarif.split_document(self._driver, errors)[1])
            else:
                self._write(self._sarif.render(Report("manifest", [], errors, 1)))
        elif fmt == "junit":
            if self.n:
                head, tail = self._junit.split_document(self.file, self.n, errors)
                self._write(head)
                self._cases.seek(0)
                while True:
                    chunk = self._cases.read(1 << 20)
                    if not chunk:
                        break
                    self.out.write(chunk)  # masked as written to the temporary file
                self._write(tail)
            else:
                self._write(self._junit.render(Report("manifest", [], errors, 1)))
            self._cases.close()
