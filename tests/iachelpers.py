"""What the IaC tests (Terraform plans, CloudFormation templates, vendor roles) share: the fixture folder,
the plan generator and the verdicts of a check (the ``iac_env`` fixture, an environment without
``HUBGATE_IAC_*`` settings, is in conftest)."""

from __future__ import annotations

import copy
import importlib.util
import re

from hubgate.check import check_paths

from conftest import FIXTURES

IAC = FIXTURES / "iac"

_spec = importlib.util.spec_from_file_location("generate_plans", IAC / "generate_plans.py")
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)

def verdicts(paths, fail_on: str = "info") -> set:
    """(rule, severity, message) of the unsuppressed findings, file names left out of messages."""
    report, _ = check_paths([str(p) for p in paths], fail_on=fail_on)
    assert report.errors == [], [str(e) for e in report.errors]
    return {(f.rule, f.severity, re.sub(r"\S+\.(json|yaml)\b", "FILE", f.message)) for f in report.findings}


def in_child_module(plan: dict) -> dict:
    """The plan with every resource moved into a child module ``module.hub`` (addresses, resource changes,
    prior state and configuration alike)."""
    mod = []
    for r in plan["planned_values"]["root_module"]["resources"]:
        r = copy.deepcopy(r)
        r["address"] = "module.hub." + r["address"]
        mod.append(r)
    plan["planned_values"]["root_module"] = {"child_modules": [{"address": "module.hub", "resources": mod}]}
    for rc in plan["resource_changes"]:
        rc["address"] = "module.hub." + rc["address"]
        rc["module_address"] = "module.hub"
    prior = plan["prior_state"]["values"]["root_module"]["resources"]
    for r in prior:
        r["address"] = "module.hub." + r["address"]
    plan["prior_state"]["values"]["root_module"] = {"child_modules": [{"address": "module.hub", "resources": prior}]}
    cfg = plan["configuration"]["root_module"]
    plan["configuration"]["root_module"] = {"module_calls": {"hub": {"source": "./hub", "module": cfg}}}
    return plan
