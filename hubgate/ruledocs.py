"""Rule documentation in one form for every rule (ruff style): what, why, failing example, passing example, fix."""

from __future__ import annotations

import json

from .rules import Rule, all_rules


def _example(rule: Rule, which: str) -> str:
    examples = rule.fail_examples if which == "fail" else rule.pass_examples
    if not examples:
        return "(none)"
    ex = examples[0]
    # show only what the example is about: the part of the bundle the rule reads
    return json.dumps(_focus(rule, ex), indent=2)


def _focus(rule: Rule, ex):
    if not isinstance(ex, dict) or "Statement" in ex:
        return ex
    family = rule.id[:3]
    keys = {
        "HG1": ("permission_policy", "buckets"),
        "HG2": ("external_id", "trust_policy"),
        "HG3": ("buckets",),
        "HG4": ("name", "provider", "access_type", "region", "role_arn", "access_key_id", "secret_access_key",
                "trust_policy", "buckets"),
        "HG5": ("manifest", "buckets"),
    }.get(family)
    if not keys:
        return ex
    out = {k: ex[k] for k in keys if k in ex}
    for k in ("access_key_id", "secret_access_key"):  # even documentation's example keys are shown masked
        if k in out and isinstance(out[k], str) and not out[k].startswith("${env:"):
            v = out[k]
            out[k] = f"{v[:4]}…{v[-4:]}" if k == "access_key_id" and len(v) >= 16 else "****"
    if family == "HG1" and "buckets" in out:  # CORS is not what HG1xx is about
        out["buckets"] = [{k: v for k, v in b.items() if k != "cors"} for b in out["buckets"]]
    return out


def rule_doc(rule: Rule, fmt: str = "text") -> str:
    if fmt == "json":
        return json.dumps({
            "id": rule.id, "severity": rule.severity, "title": rule.title, "what": rule.what, "why": rule.why,
            "fix": rule.fix, "fail_examples": list(rule.fail_examples), "pass_examples": list(rule.pass_examples),
        }, indent=2) + "\n"
    h = "## " if fmt == "markdown" else ""
    fence = "```json\n" if fmt == "markdown" else ""
    end = "```\n" if fmt == "markdown" else ""
    return (
        f"{'# ' if fmt == 'markdown' else ''}{rule.id} {rule.title} ({rule.severity})\n\n"
        f"{h}What it checks\n{rule.what}\n\n"
        f"{h}Why it matters\n{rule.why}\n\n"
        f"{h}Failing example\n{fence}{_example(rule, 'fail')}\n{end}\n"
        f"{h}Passing example\n{fence}{_example(rule, 'pass')}\n{end}\n"
        f"{h}Fix\n{rule.fix}\n"
    )


def catalogue(fmt: str = "text") -> str:
    rules = all_rules()
    if fmt == "json":
        return json.dumps([{"id": r.id, "severity": r.severity, "title": r.title} for r in rules.values()], indent=2) + "\n"
    if fmt == "markdown":
        out = ["# hubgate rules\n", "| id | severity | title |", "|---|---|---|"]
        out += [f"| [{r.id}](#{r.id.lower()}) | {r.severity} | {r.title} |" for r in rules.values()]
        out.append("")
        out += [rule_doc(r, "markdown").replace("# ", "## ", 1).replace("\n## ", "\n### ") for r in rules.values()]
        return "\n".join(out)
    width = max(len(r.title) for r in rules.values())
    lines = [f"{r.id}  {r.severity:<7}  {r.title:<{width}}" for r in rules.values()]
    return "\n".join(lines) + "\n\n`hubgate rules ID` prints a rule's documentation.\n"
