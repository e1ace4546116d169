"""What blocks a session after a pre-session check-in (docs/decisions/0008): a stop flag, a
contraindication of the course's treatment, or a caution from a rule bearing on it, that is
new against what a practitioner last weighed or against the previous check-in."""

from __future__ import annotations

from consultations.models import (
    CheckIn,
    CheckInKind,
    ClearanceOutcome,
    Course,
    Evaluation,
    SessionClearance,
    Severity,
    Treatment,
)


def earlier_evaluations(course: Course, check_in: CheckIn) -> list[Evaluation]:
    """What this check-in's evaluation is compared with: the baseline (below) and the
    evaluation of the course's previous answered pre-session check-in, if it is later."""
    baseline = _baseline(course)
    previous = (
        CheckIn.objects.filter(
            session__course=course,
            kind=CheckInKind.PRE_SESSION,
            answered_at__isnull=False,
            evaluation__isnull=False,
        )
        .exclude(pk=check_in.pk)
        .select_related("evaluation")
        .order_by("-answered_at", "-pk")
        .first()
    )
    if previous is None or previous.evaluation is None:
        return [baseline]
    if previous.evaluation.created_at <= baseline.created_at:
        return [baseline]
    return [baseline, previous.evaluation]


def _baseline(course: Course) -> Evaluation:
    """What a practitioner last weighed for this course: the evaluation of the latest
    check-in whose block they cleared to go ahead (proceed, or change the treatment), or else
    the decision's. A condition they cleared does not block every later session again."""
    cleared = (
        SessionClearance.objects.filter(
            session__course=course,
            outcome__in=[ClearanceOutcome.PROCEED, ClearanceOutcome.CHANGE],
            check_in__evaluation__isnull=False,
        )
        .select_related("check_in__evaluation")
        .order_by("-at", "-pk")
        .first()
    )
    if cleared is not None and cleared.at > course.decision.decided_at:
        assert cleared.check_in is not None and cleared.check_in.evaluation is not None
        return cleared.check_in.evaluation
    return course.decision.evaluation


def block_reasons(*, before: Evaluation, after: Evaluation, treatment: str) -> list[str]:
    """Why the session cannot go ahead without a practitioner, in clinical terms; [] when
    nothing is new since `before` (what the practitioner last weighed):

    - each stop flag `after` raises that `before` did not;
    - each rule that now excludes the course's treatment and did not exclude it before;
    - each caution flag `after` raises that `before` did not, from a rule that bears on the
      course's treatment (it gives a reason on that treatment's suggestion): the decision was
      taken without it, so a practitioner confirms the plan first. A new isotretinoin
      prescription is one (R07: "the practitioner confirms").
    """
    stops_before = {
        flag["code"] for flag in before.output["flags"] if flag["severity"] == Severity.STOP
    }
    reasons = [
        f"{flag['rule']} stop flag {flag['code']}: {flag['message']}"
        for flag in after.output["flags"]
        if flag["severity"] == Severity.STOP and flag["code"] not in stops_before
    ]
    excluded_before = {
        reason["rule"]
        for entry in before.output["excluded"]
        if entry["treatment"] == treatment
        for reason in entry["reasons"]
    }
    label = Treatment(treatment).label.lower()
    reasons += [
        f"{reason['rule']} now contraindicates {label}: {reason['text']}"
        for entry in after.output["excluded"]
        if entry["treatment"] == treatment
        for reason in entry["reasons"]
        if reason["rule"] not in excluded_before
    ]
    flags_before = {flag["code"] for flag in before.output["flags"]}
    bearing = {
        reason["rule"]
        for suggestion in after.output["suggestions"]
        if suggestion["treatment"] == treatment
        for reason in suggestion["reasons"]
    }
    reasons += [
        f"{flag['rule']} new caution {flag['code']} for {label}: {flag['message']}"
        for flag in after.output["flags"]
        if flag["severity"] == Severity.CAUTION
        and flag["code"] not in flags_before
        and flag["rule"] in bearing
    ]
    return reasons
