"""The rules' output: frozen records that serialise to the contract's JSON (section 2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Reason:
    """Why a rule touched a treatment, in words a practitioner can read."""

    rule: str
    text: str

    def to_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "text": self.text}


@dataclass(frozen=True)
class AgentExclusion:
    """A peel agent that is not allowed, and the rules that removed it (in table order)."""

    agent: str
    rules: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"agent": self.agent, "rules": list(self.rules)}


@dataclass(frozen=True)
class Suggestion:
    """An eligible treatment, its rank (1 = best) and everything the rules attached to it.

    Only the chemical peel has `agents` (the allowed peel agents, never empty) and
    `agents_excluded`; for laser and microdermabrasion both are None and absent from the JSON.
    """

    treatment: str
    rank: int
    status: str
    reasons: tuple[Reason, ...]
    constraints: tuple[str, ...]
    agents: tuple[str, ...] | None = None
    agents_excluded: tuple[AgentExclusion, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "treatment": self.treatment,
            "rank": self.rank,
            "status": self.status,
        }
        if self.agents is not None:
            data["agents"] = list(self.agents)
            data["agents_excluded"] = [e.to_dict() for e in self.agents_excluded or ()]
        data["reasons"] = [reason.to_dict() for reason in self.reasons]
        data["constraints"] = list(self.constraints)
        return data


@dataclass(frozen=True)
class Exclusion:
    """A contraindicated treatment and the rules that excluded it."""

    treatment: str
    reasons: tuple[Reason, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"treatment": self.treatment, "reasons": [r.to_dict() for r in self.reasons]}


@dataclass(frozen=True)
class Flag:
    """A safety concern for the practitioner, raised by one rule."""

    code: str
    severity: str
    rule: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "severity": self.severity,
            "rule": self.rule,
            "message": self.message,
        }


@dataclass(frozen=True)
class Result:
    """The whole suggestion for one consultation."""

    ruleset_version: str
    primary: str
    suggestions: tuple[Suggestion, ...]
    excluded: tuple[Exclusion, ...]
    flags: tuple[Flag, ...]
    defer_reason: str | None

    def to_dict(self) -> dict[str, Any]:
        """Exactly the contract's JSON shape, keys in contract order."""
        return {
            "ruleset_version": self.ruleset_version,
            "primary": self.primary,
            "suggestions": [s.to_dict() for s in self.suggestions],
            "excluded": [e.to_dict() for e in self.excluded],
            "flags": [f.to_dict() for f in self.flags],
            "defer_reason": self.defer_reason,
        }
