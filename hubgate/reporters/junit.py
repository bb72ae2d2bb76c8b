"""``--format junit``: JUnit XML, one testsuite per file, one failing testcase per finding."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from ..redact import escape_controls  # XML 1.0 forbids most control characters, even escaped


def case(f) -> ET.Element:
    """One finding as a failing testcase."""
    where = f"{f.file}:{f.line}" if f.line else f.file
    el = ET.Element("testcase", classname=f.rule, name=f"{f.rule} {f.pointer or '/'}", file=f.file)
    if f.line:
        el.set("line", str(f.line))
    failure = ET.SubElement(el, "failure", type=f.severity, message=f.message)
    failure.text = f"{where} {f.pointer}\n{f.message}\nfix: {f.fix or '-'}\nhelp: {f.help or '-'}"
    return el


def case_text(f) -> str:
    """:func:`case` as :func:`render` writes it inside its testsuite (indented, with its line break)."""
    el = case(f)
    ET.indent(el, level=2)
    return escape_controls("    " + ET.tostring(el, encoding="unicode") + "\n")


def _document(suites, n_findings: int, errors) -> str:
    """The XML text: ``suites`` as (file, number of findings, testcase elements), then the input errors."""
    root = ET.Element("testsuites", name="hubgate", tests=str(n_findings + len(errors)),
                      failures=str(n_findings), errors=str(len(errors)))
    for file, n, cases in suites:
        suite = ET.SubElement(root, "testsuite", name=file, tests=str(n), failures=str(n))
        suite.extend(cases)
    if errors:
        suite = ET.SubElement(root, "testsuite", name="input", tests=str(len(errors)), errors=str(len(errors)))
        for e in errors:
            el = ET.SubElement(suite, "testcase", classname="input", name=e.file)
            ET.SubElement(el, "error", message=e.problem).text = str(e)
    if not n_findings and not errors:
        suite = ET.SubElement(root, "testsuite", name="hubgate", tests="1", failures="0")
        ET.SubElement(suite, "testcase", classname="hubgate", name="no findings")
    ET.indent(root)
    return escape_controls('<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n")


def render(report) -> str:
    by_file = defaultdict(list)
    for f in report.findings:
        by_file[f.file].append(f)
    suites = [(file, len(fs), [case(f) for f in fs]) for file, fs in sorted(by_file.items())]
    return _document(suites, len(report.findings), report.errors)


def split_document(file: str, n_findings: int, errors) -> tuple[str, str]:
    """The text :func:`render` gives for ``n_findings`` (at least one) findings of one file, around their
    testcases: ``head + "".join(case_text(f) ...) + tail``. For streaming."""
    mark = "<hubgate-cases />"
    text = _document([(file, n_findings, [ET.Element("hubgate-cases")])], n_findings, errors)
    at = text.index(mark)
    return text[:at - 4], text[at + len(mark) + 1:]
