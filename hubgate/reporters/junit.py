"""``--format junit``: JUnit XML, one testsuite per file, one failing testcase per finding."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict


def render(report) -> str:
    by_file = defaultdict(list)
    for f in report.findings:
        by_file[f.file].append(f)
    root = ET.Element("testsuites", name="hubgate", tests=str(len(report.findings) + len(report.errors)),
                      failures=str(len(report.findings)), errors=str(len(report.errors)))
    for file, findings in sorted(by_file.items()):
        suite = ET.SubElement(root, "testsuite", name=file, tests=str(len(findings)), failures=str(len(findings)))
        for f in findings:
            where = f"{f.file}:{f.line}" if f.line else f.file
            case = ET.SubElement(suite, "testcase", classname=f.rule, name=f"{f.rule} {f.pointer or '/'}", file=f.file)
            if f.line:
                case.set("line", str(f.line))
            failure = ET.SubElement(case, "failure", type=f.severity, message=f.message)
            failure.text = f"{where} {f.pointer}\n{f.message}\nfix: {f.fix or '-'}\nhelp: {f.help or '-'}"
    if report.errors:
        suite = ET.SubElement(root, "testsuite", name="input", tests=str(len(report.errors)), errors=str(len(report.errors)))
        for e in report.errors:
            case = ET.SubElement(suite, "testcase", classname="input", name=e.file)
            ET.SubElement(case, "error", message=e.problem).text = str(e)
    if not report.findings and not report.errors:
        suite = ET.SubElement(root, "testsuite", name="hubgate", tests="1", failures="0")
        ET.SubElement(suite, "testcase", classname="hubgate", name="no findings")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
