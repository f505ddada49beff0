"""Declarative policy: rules in policies/*.yaml, and a pure evaluate()."""

from gateway.policy.engine import RecipientView, evaluate
from gateway.policy.schema import Condition, Policy, Rule, load_policy

__all__ = ["Condition", "Policy", "RecipientView", "Rule", "evaluate", "load_policy"]
