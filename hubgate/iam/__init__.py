"""The IAM model every rule rests on: action metadata, ARNs, policy normal form, conditions, decisions."""

from .evaluate import Decision, Request, evaluate
from .policy import Policy, Statement, normalise

__all__ = ["Decision", "Policy", "Request", "Statement", "evaluate", "normalise"]
