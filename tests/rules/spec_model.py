"""An independent encoding of clinical-rules.md 4.2-4.4 (ruleset 2026.2), for the invariant tests.

Written from the spec, not from `consultations/rules/table.py`: plain `if` statements in table
order, its own copy of the codes, the constraint catalogue (4.6) and the ranking (4.4). The
invariant tests (section 9) compare the rules module's output with what this model expects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

L, P, M = "laser", "chemical_peel", "microdermabrasion"
TREATMENTS = (L, P, M)
DEFER_PRIMARY = "defer_to_practitioner"
CI, DEFER, NFLS, CAUTION, NOTE, PREFER, ELIGIBLE, NFLE, NOLEAD = (
    "CI",
    "DEFER",
    "NFL-S",
    "CAUTION",
    "NOTE",
    "PREFER",
    "ELIGIBLE",
    "NFL-E",
    "NO-LEAD",
)
TIER = {DEFER: 3, NFLS: 3, NOLEAD: 2, NFLE: 1}
WEIGHS_ONE = {CAUTION, NFLS, DEFER}
DOWNTIME = {M: 0, P: 1, L: 2}

AGENTS = ("salicylic", "mandelic", "lactic", "glycolic", "jessner", "tca")
LABELS = {
    "salicylic": "salicylic acid",
    "mandelic": "mandelic acid",
    "lactic": "lactic acid",
    "glycolic": "glycolic acid",
    "jessner": "Jessner's solution",
    "tca": "TCA 10–30%",
}
OLD_BOOLEANS = (
    "pregnant",
    "breastfeeding",
    "isotretinoin_last_6_months",
    "active_infection_or_cold_sore",
    "hsv_history",
    "keloid_history",
    "photosensitising_meds",
    "recent_tan",
    "active_inflamed_acne",
    "salicylate_allergy",
    "topical_retinoid_last_7_days",
    "active_rosacea",
    "dermatitis_in_area",
    "anticoagulant_or_bleeding_disorder",
    "systemic_gold_therapy_ever",
    "melasma",
    "immunosuppressed_or_poor_healing",
    "suspicious_lesion",
)
# intake-contract.md table 1.1, in its order.
NEW_CODES = (
    "isotretinoin_timing",
    "steroid_or_bleaching_cream_last_6_months",
    "inflamed_acne_severity",
    "cosmetic_tattoo_in_area",
    "sun_exposure_next_4_weeks",
    "injectable_last_2_weeks",
    "resurfacing_in_area_last_4_weeks",
    "surgery_in_area_last_6_months",
    "hair_removal_in_area_last_7_days",
    "pih_after_procedure",
    "radiotherapy_to_area",
    "vitiligo",
    "photosensitive_disorder",
)
PARENT = {
    "isotretinoin_timing": "isotretinoin_last_6_months",
    "inflamed_acne_severity": "active_inflamed_acne",
}
TIMINGS = ("current", "stopped_under_1_month", "stopped_1_to_6_months", "not_sure")
SEVERITIES = ("papules_pustules", "nodules_cysts", "not_sure")
NEW_BOOLEANS = tuple(code for code in NEW_CODES if code not in PARENT)
ALL_BOOLEANS = OLD_BOOLEANS + NEW_BOOLEANS
FLAG_OF = {
    "pregnant": "PREGNANCY",
    "breastfeeding": "BREASTFEEDING",
    "isotretinoin_last_6_months": "ISOTRETINOIN_RECENT",
    "active_infection_or_cold_sore": "ACTIVE_INFECTION",
    "hsv_history": "HSV_HISTORY",
    "keloid_history": "KELOID_HISTORY",
    "photosensitising_meds": "PHOTOSENSITISING_MEDS",
    "recent_tan": "RECENT_TAN",
    "active_inflamed_acne": "ACTIVE_INFLAMED_ACNE",
    "salicylate_allergy": "SALICYLATE_ALLERGY",
    "topical_retinoid_last_7_days": "RECENT_RETINOID",
    "active_rosacea": "ACTIVE_ROSACEA",
    "dermatitis_in_area": "DERMATITIS_IN_AREA",
    "anticoagulant_or_bleeding_disorder": "BLEEDING_RISK",
    "systemic_gold_therapy_ever": "GOLD_THERAPY",
    "melasma": "MELASMA",
    "immunosuppressed_or_poor_healing": "IMPAIRED_HEALING",
    "suspicious_lesion": "SUSPICIOUS_LESION",
    "cosmetic_tattoo_in_area": "COSMETIC_TATTOO",
    "injectable_last_2_weeks": "RECENT_INJECTABLE",
    "surgery_in_area_last_6_months": "RECENT_SURGERY",
    "resurfacing_in_area_last_4_weeks": "RECENT_PROCEDURE",
    "hair_removal_in_area_last_7_days": "RECENT_HAIR_REMOVAL",
    "radiotherapy_to_area": "RADIOTHERAPY_IN_AREA",
    "vitiligo": "VITILIGO",
    "photosensitive_disorder": "PHOTOSENSITIVE_DISORDER",
    "pih_after_procedure": "PIH_HISTORY",
    "steroid_or_bleaching_cream_last_6_months": "STEROID_OR_BLEACHING_CREAM",
    "sun_exposure_next_4_weeks": "SUN_EXPOSURE_PLANNED",
}
# clinical-rules.md 5.2, in its order.
FLAG_VOCABULARY = (
    "ACTIVE_INFECTION",
    "HSV_HISTORY",
    "PREGNANCY",
    "BREASTFEEDING",
    "ISOTRETINOIN_RECENT",
    "KELOID_HISTORY",
    "PHOTOSENSITISING_MEDS",
    "RECENT_TAN",
    "ACTIVE_INFLAMED_ACNE",
    "SALICYLATE_ALLERGY",
    "PIH_RISK",
    "RECENT_RETINOID",
    "ACTIVE_ROSACEA",
    "DERMATITIS_IN_AREA",
    "BLEEDING_RISK",
    "GOLD_THERAPY",
    "MELASMA",
    "IMPAIRED_HEALING",
    "SUSPICIOUS_LESION",
    "ISOTRETINOIN_PREGNANCY",
    "PIGMENT_NOT_EXAMINED",
    "NODULOCYSTIC_ACNE",
    "COSMETIC_TATTOO",
    "RECENT_INJECTABLE",
    "RECENT_SURGERY",
    "RECENT_PROCEDURE",
    "RECENT_HAIR_REMOVAL",
    "RADIOTHERAPY_IN_AREA",
    "VITILIGO",
    "PHOTOSENSITIVE_DISORDER",
    "PIH_HISTORY",
    "STEROID_OR_BLEACHING_CREAM",
    "SUN_EXPOSURE_PLANNED",
    "ANSWERS_MISSING",
)

AGENT_PREFIX = "agents allowed: "
ASK_PREFIX = "ask the patient first: "
# clinical-rules.md 4.6, row for row: (treatments, exact text or pattern prefix).
_LASER, _PEEL, _MDA, _ALL = (L,), (P,), (M,), TREATMENTS
CATALOGUE: tuple[tuple[tuple[str, ...], str], ...] = (
    (_LASER, "assess the dermatitis first"),
    (_LASER, "no fully ablative laser"),
    (_LASER, "no ablative resurfacing, fully or fractional"),
    (_LASER, "review the photosensitising medicine first"),
    (_LASER, "treat the acne first"),
    (_LASER, "treat the rosacea first"),
    (_LASER, "no low-fluence laser toning"),
    (_LASER, "test spot"),
    (
        _LASER,
        "settings for pigmented skin: longer wavelength where possible, low density, "
        "conservative fluence, cooling",
    ),
    (_LASER, "confirm the phototype at examination"),
    (_LASER, "picosecond or non-ablative fractional laser"),
    (_LASER, "picosecond laser"),
    (_LASER, "antiviral prophylaxis per practitioner"),
    (_LASER, "confirm the phototype and the pigment diagnosis at examination before any laser"),
    (_LASER, "keep the laser off cosmetic tattoos: shield or skip them"),
    (_PEEL, AGENT_PREFIX),
    (_PEEL, "superficial peel only"),
    (_PEEL, "postpone until the tan has faded"),
    (_PEEL, "check that no product used contains salicylates"),
    (_PEEL, "treat the rosacea first"),
    (_PEEL, "prime the skin with topicals first"),
    (
        _PEEL,
        "prime the skin first with topicals safe in pregnancy and breastfeeding only, such as "
        "azelaic acid and sun protection; no hydroquinone, tretinoin or other retinoids",
    ),
    (_PEEL, "antiviral prophylaxis per practitioner"),
    (_PEEL, "hold the retinoid 3–7 days before the peel"),
    (_PEEL, "avoid the tattooed area"),
    (
        _PEEL,
        "no peel within 7 days of waxing, threading, epilation or hair-removal cream in the area",
    ),
    (_MDA, "wait until at least 1 month after the last isotretinoin dose"),
    (_MDA, "standard microdermabrasion only; no dermabrasion"),
    (_MDA, "not on sunburnt or peeling skin"),
    (_MDA, "gentle technique"),
    (_MDA, "strict sun protection for 2 weeks after each session"),
    (_MDA, "hold the retinoid about 3 days before and after"),
    (_MDA, "short suction dwell time"),
    (_MDA, "avoid the tattooed area"),
    (
        _MDA,
        "no microdermabrasion within 7 days of waxing, threading, epilation or hair-removal "
        "cream in the area",
    ),
    (_ALL, "individual assessment of wound healing first"),
    (_ALL, "no procedure until the prescriber has been contacted"),
    (_ALL, "refer for medical acne treatment first"),
    (_ALL, "schedule at least 2 weeks after filler, skin booster or botulinum toxin"),
    (_ALL, "check healing and the surgeon's advice first"),
    (
        _ALL,
        "at least 4 weeks after the last resurfacing procedure in the area, unless the "
        "practitioner confirms full recovery",
    ),
    (_ALL, "assess the irradiated skin first"),
    (_ALL, "check that the vitiligo is stable first"),
    (_ALL, "assess the photosensitive disorder first"),
    (_ALL, "find out which procedure caused the pigmentation first"),
    (_ALL, "stop the cream and examine for steroid damage or ochronosis first"),
    ((L, P), "strict sun protection for 4 weeks after each session, or postpone"),
    (_ALL, ASK_PREFIX),
)
PATTERNS = (AGENT_PREFIX, ASK_PREFIX)
LASER_TYPE_CONSTRAINTS = ("picosecond or non-ablative fractional laser", "picosecond laser")


def catalogue_row(treatment: str, constraint: str) -> int | None:
    """The constraint's catalogue row for this treatment, or None when it is not listed there."""
    for row, (treatments, text) in enumerate(CATALOGUE):
        if treatment not in treatments:
            continue
        if constraint == text or (text in PATTERNS and constraint.startswith(text)):
            return row
    return None


# Restrictions of 4.3: rule -> removed agents (for R16 by phototype, see `expected`).
PREGNANCY_REMOVES = ("salicylic", "mandelic", "jessner", "tca")
SALICYLATE_REMOVES = ("salicylic", "jessner")
DRY_REMOVES = ("salicylic", "jessner")
KELOID_REMOVES = ("tca",)
RESTRICTING_RULES = ("R05", "R08", "R12", "R16", "R20")

ALWAYS_DEFER = ("R01", "R02", "R03", "R13", "R15", "R30", "R33", "R36", "R39", "R40", "R41")
ALWAYS_DEFER += ("R42", "R43", "R45")


@dataclass
class Expected:
    """What 4.2-4.4 say about one answer set (derived values are cached: change `effects`
    before reading them)."""

    effects: dict[str, list[tuple[str, str, tuple[str, ...]]]] = field(
        default_factory=lambda: {t: [] for t in TREATMENTS}
    )
    removals: dict[str, list[str]] = field(default_factory=dict)
    flags: list[tuple[str, str, str]] = field(default_factory=list)
    deferring: list[str] = field(default_factory=list)
    unasked: tuple[str, ...] = ()

    # -- derived, as 4.3 and 4.4 define them --------------------------------------------------

    def contraindicating(self, treatment: str) -> list[str]:
        rules = _unique(rule for rule, kind, _ in self.effects[treatment] if kind == CI)
        if treatment == P and not rules and not self.agents:
            return ["R31"]
        return rules

    @cached_property
    def agents(self) -> tuple[str, ...]:
        return tuple(agent for agent in AGENTS if agent not in self.removals)

    def agents_excluded(self) -> list[dict[str, Any]]:
        return [
            {"agent": agent, "rules": self.removals[agent]}
            for agent in AGENTS
            if agent in self.removals
        ]

    @cached_property
    def excluded(self) -> list[str]:
        return [t for t in TREATMENTS if self.contraindicating(t)]

    def applied(self, treatment: str) -> list[tuple[str, str, tuple[str, ...]]]:
        """The applied non-CI effects on a treatment that is not excluded."""
        return [e for e in self.effects[treatment] if e[1] != CI]

    def tier(self, treatment: str) -> int:
        return max((TIER.get(kind, 0) for _, kind, _ in self.applied(treatment)), default=0)

    def prefers(self, treatment: str) -> int:
        return len({rule for rule, kind, _ in self.applied(treatment) if kind == PREFER})

    def caution_weight(self, treatment: str) -> int:
        return len({rule for rule, kind, _ in self.applied(treatment) if kind in WEIGHS_ONE})

    def key(self, treatment: str) -> tuple[int, int, int, int]:
        return (
            self.tier(treatment),
            -self.prefers(treatment),
            self.caution_weight(treatment),
            DOWNTIME[treatment],
        )

    @cached_property
    def order(self) -> list[str]:
        return sorted((t for t in TREATMENTS if t not in self.excluded), key=self.key)

    def status(self, treatment: str) -> str:
        return "caution" if self.caution_weight(treatment) >= 1 else "suitable"

    def reason_rules(self, treatment: str) -> list[str]:
        if treatment in self.excluded:
            return self.contraindicating(treatment)
        return _unique(rule for rule, _, _ in self.applied(treatment))

    def constraints(self, treatment: str) -> list[str]:
        found = _unique(c for _, _, cs in self.applied(treatment) for c in cs)
        if treatment == P:
            found.append(AGENT_PREFIX + ", ".join(LABELS[a] for a in self.agents))
        return sorted(found, key=lambda c: catalogue_row(treatment, c))  # type: ignore[arg-type]

    @property
    def primary(self) -> str:
        order = self.order
        if self.deferring or not order or self.tier(order[0]) >= 2:
            return DEFER_PRIMARY
        return order[0]

    @property
    def defer_rules(self) -> list[str]:
        """The rules `defer_reason` names: the deferring rules, else R29 (or nothing)."""
        if self.deferring:
            return self.deferring
        return ["R29"] if self.primary == DEFER_PRIMARY else []


def _unique(items: Any) -> list[Any]:
    seen: list[Any] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def unasked_codes(answers: dict[str, Any]) -> tuple[str, ...]:
    """Applicable 2026.2 codes that were not asked (contract 1.3); none under 2026.2."""
    if answers.get("questionnaire_version", "2026.2") != "2026.1":
        return ()
    return tuple(
        code
        for code in NEW_CODES
        if answers.get(code) is None and (code not in PARENT or answers[PARENT[code]] is True)
    )


def expected(answers: dict[str, Any]) -> Expected:
    """Apply 4.2 (R01 ... R28, R30, R32 ... R45) to valid answers; R31 and R29 are derived."""
    a = answers
    model = Expected(unasked=unasked_codes(a))

    def yes(code: str) -> bool:
        return a.get(code) is True

    def hit(
        rule: str,
        *,
        flag: str | None = None,
        severity: str = "caution",
        defers: bool = False,
        laser: list[tuple[Any, ...]] | None = None,
        peel: list[tuple[Any, ...]] | None = None,
        mda: list[tuple[Any, ...]] | None = None,
        removes: tuple[str, ...] = (),
    ) -> None:
        for treatment, cells in ((L, laser), (P, peel), (M, mda)):
            for kind, *constraints in cells or ():
                model.effects[treatment].append((rule, kind, tuple(constraints)))
        for agent in removes:
            model.removals.setdefault(agent, [])
            if rule not in model.removals[agent]:
                model.removals[agent].append(rule)
        if defers:
            model.deferring.append(rule)
        if flag:
            model.flags.append((flag, "stop" if defers else severity, rule))

    def three(cell: tuple[Any, ...]) -> dict[str, list[tuple[Any, ...]]]:
        return {"laser": [cell], "peel": [cell], "mda": [cell]}

    fst, goals, primary = a["fitzpatrick"], a["goals"], a["goals"][0]
    unverified = a["fitzpatrick_source"] in ("self_report", "questionnaire")

    if yes("active_infection_or_cold_sore"):
        hit("R01", flag="ACTIVE_INFECTION", defers=True, **three((CI,)))
    if yes("suspicious_lesion"):
        hit("R02", flag="SUSPICIOUS_LESION", defers=True, **three((CI,)))
    if yes("dermatitis_in_area"):
        hit(
            "R03",
            flag="DERMATITIS_IN_AREA",
            defers=True,
            laser=[(DEFER, "assess the dermatitis first")],
            peel=[(CI,)],
            mda=[(CI,)],
        )
    if yes("systemic_gold_therapy_ever"):
        hit("R04", flag="GOLD_THERAPY", laser=[(CI,)])
    if yes("pregnant"):
        hit(
            "R05",
            flag="PREGNANCY",
            laser=[(CI,)],
            peel=[(CAUTION,)],
            mda=[(CAUTION,)],
            removes=PREGNANCY_REMOVES,
        )
    if yes("breastfeeding"):
        hit("R06", flag="BREASTFEEDING", **three((CAUTION,)))
    if yes("isotretinoin_last_6_months"):
        if a.get("isotretinoin_timing") == "stopped_1_to_6_months":
            mda = [(CAUTION, "standard microdermabrasion only; no dermabrasion")]
        else:  # current, stopped under a month, not sure, or not asked
            mda = [
                (
                    NFLS,
                    "wait until at least 1 month after the last isotretinoin dose",
                    "standard microdermabrasion only; no dermabrasion",
                )
            ]
        hit(
            "R07",
            flag="ISOTRETINOIN_RECENT",
            laser=[(CAUTION, "no fully ablative laser")],
            peel=[(CAUTION, "superficial peel only")],
            mda=mda,
        )
    if yes("keloid_history"):
        hit(
            "R08",
            flag="KELOID_HISTORY",
            defers="acne_scars" in goals,
            laser=[(NFLS, "no ablative resurfacing, fully or fractional")],
            peel=[(CAUTION, "superficial peel only")],
            mda=[(CAUTION,)],
            removes=KELOID_REMOVES,
        )
    if yes("recent_tan"):
        hit(
            "R09",
            flag="RECENT_TAN",
            defers=fst >= 3 or yes("melasma") or "tone_pigmentation" in goals,
            laser=[(CI,)],
            peel=[(NFLS, "postpone until the tan has faded")],
            mda=[(CAUTION, "not on sunburnt or peeling skin", "gentle technique")],
        )
    if yes("photosensitising_meds"):
        hit(
            "R10",
            flag="PHOTOSENSITISING_MEDS",
            laser=[(NFLS, "review the photosensitising medicine first")],
            peel=[(CI,)],
            mda=[(CAUTION, "strict sun protection for 2 weeks after each session")],
        )
    if yes("active_inflamed_acne"):
        hit(
            "R11",
            flag="ACTIVE_INFLAMED_ACNE",
            laser=[(NFLS, "treat the acne first")],
            peel=[(PREFER,)],
            mda=[(CI,)],
        )
    if yes("salicylate_allergy"):
        hit(
            "R12",
            flag="SALICYLATE_ALLERGY",
            peel=[(CAUTION, "check that no product used contains salicylates")],
            removes=SALICYLATE_REMOVES,
        )
    if yes("active_rosacea"):
        hit(
            "R13",
            flag="ACTIVE_ROSACEA",
            defers=True,
            laser=[(NFLS, "treat the rosacea first")],
            peel=[(NFLS, "treat the rosacea first")],
            mda=[(CI,)],
        )
    if yes("melasma"):
        if yes("pregnant") or yes("breastfeeding"):
            priming = (
                "prime the skin first with topicals safe in pregnancy and breastfeeding only, "
                "such as azelaic acid and sun protection; no hydroquinone, tretinoin or other "
                "retinoids"
            )
        else:
            priming = "prime the skin with topicals first"
        hit(
            "R14",
            flag="MELASMA",
            laser=[(NFLS, "no low-fluence laser toning")],
            peel=[(CAUTION, "superficial peel only", priming), (PREFER,)],
            mda=[(CAUTION, "gentle technique")],
        )
    if yes("immunosuppressed_or_poor_healing"):
        hit(
            "R15",
            flag="IMPAIRED_HEALING",
            defers=True,
            **three((DEFER, "individual assessment of wound healing first")),
        )
    if fst >= 3:
        laser = [
            "test spot",
            "settings for pigmented skin: longer wavelength where possible, low density, "
            "conservative fluence, cooling",
        ]
        if unverified:
            laser.append("confirm the phototype at examination")
        removes = ("tca",) if fst == 4 else ("glycolic", "jessner", "tca") if fst >= 5 else ()
        hit(
            "R16",
            flag="PIH_RISK",
            laser=[(CAUTION, *laser)],
            peel=[(CAUTION, "superficial peel only")],
            mda=[(CAUTION, "gentle technique")],
            removes=removes,
        )
    if fst >= 5 and primary in ("pore_size", "oiliness", "tone_pigmentation"):
        hit("R17", laser=[(NFLS,)], peel=[(PREFER,)])
    if fst == 6:
        hit("R18", laser=[(NFLS,)])
    if a["sebum"] in ("oily", "very_oily") and primary in ("pore_size", "oiliness"):
        hit("R19", peel=[(PREFER,)])
    if primary in ("pore_size", "oiliness"):
        hit("R19a", laser=[(PREFER,)], peel=[(PREFER,)], mda=[(NFLE,)])
    if a["sebum"] == "dry":
        hit("R20", peel=[(NOTE,)], removes=DRY_REMOVES)
    if primary == "acne_scars":
        hit(
            "R21",
            laser=[(PREFER, "picosecond or non-ablative fractional laser")],
            peel=[(ELIGIBLE, "superficial peel only")],
            mda=[(NOLEAD,)],
        )
    if primary == "fine_lines":
        hit("R22", laser=[(PREFER,)], peel=[(ELIGIBLE,)], mda=[(NOLEAD,)])
    if primary == "pore_size" and a["age"] >= 45:
        hit("R23", laser=[(PREFER,)])
    if list(goals) == ["texture"]:
        hit("R24", **three((ELIGIBLE,)))
    if primary == "tone_pigmentation":
        hit(
            "R25",
            laser=[(PREFER, "picosecond laser")] if fst <= 4 else [],
            peel=[(PREFER,)],
            mda=[(NOLEAD,)],
        )
    if yes("hsv_history"):
        hit(
            "R26",
            flag="HSV_HISTORY",
            laser=[(CAUTION, "antiviral prophylaxis per practitioner")],
            peel=[(CAUTION, "antiviral prophylaxis per practitioner")],
            mda=[(CAUTION,)],
        )
    if yes("topical_retinoid_last_7_days"):
        hit(
            "R27",
            flag="RECENT_RETINOID",
            severity="info",
            peel=[(NOTE, "hold the retinoid 3–7 days before the peel")],
            mda=[(NOTE, "hold the retinoid about 3 days before and after")],
        )
    if yes("anticoagulant_or_bleeding_disorder"):
        hit(
            "R28",
            flag="BLEEDING_RISK",
            laser=[(CAUTION,)],
            mda=[(NFLS, "short suction dwell time")],
        )
    if yes("pregnant") and yes("isotretinoin_last_6_months"):
        hit(
            "R30",
            flag="ISOTRETINOIN_PREGNANCY",
            defers=True,
            **three((DEFER, "no procedure until the prescriber has been contacted")),
        )
    if unverified and ("tone_pigmentation" in goals or yes("melasma")):
        hit(
            "R32",
            flag="PIGMENT_NOT_EXAMINED",
            laser=[
                (
                    NFLS,
                    "confirm the phototype and the pigment diagnosis at examination before any "
                    "laser",
                )
            ],
        )
    if yes("active_inflamed_acne") and a.get("inflamed_acne_severity") in (
        "nodules_cysts",
        "not_sure",
    ):
        hit(
            "R33",
            flag="NODULOCYSTIC_ACNE",
            defers=True,
            **three((DEFER, "refer for medical acne treatment first")),
        )
    if yes("cosmetic_tattoo_in_area"):
        hit(
            "R34",
            flag="COSMETIC_TATTOO",
            laser=[(CAUTION, "keep the laser off cosmetic tattoos: shield or skip them")],
            peel=[(NOTE, "avoid the tattooed area")],
            mda=[(NOTE, "avoid the tattooed area")],
        )
    if yes("injectable_last_2_weeks"):
        hit(
            "R35",
            flag="RECENT_INJECTABLE",
            severity="info",
            **three(
                (NOTE, "schedule at least 2 weeks after filler, skin booster or botulinum toxin")
            ),
        )
    if yes("surgery_in_area_last_6_months"):
        hit(
            "R36",
            flag="RECENT_SURGERY",
            defers=True,
            **three((DEFER, "check healing and the surgeon's advice first")),
        )
    if yes("resurfacing_in_area_last_4_weeks"):
        hit(
            "R37",
            flag="RECENT_PROCEDURE",
            **three(
                (
                    CAUTION,
                    "at least 4 weeks after the last resurfacing procedure in the area, unless "
                    "the practitioner confirms full recovery",
                )
            ),
        )
    if yes("hair_removal_in_area_last_7_days"):
        hit(
            "R38",
            flag="RECENT_HAIR_REMOVAL",
            severity="info",
            peel=[
                (
                    NOTE,
                    "no peel within 7 days of waxing, threading, epilation or hair-removal cream "
                    "in the area",
                )
            ],
            mda=[
                (
                    NOTE,
                    "no microdermabrasion within 7 days of waxing, threading, epilation or "
                    "hair-removal cream in the area",
                )
            ],
        )
    deferring_news = (
        ("radiotherapy_to_area", "R39", "RADIOTHERAPY_IN_AREA", "assess the irradiated skin first"),
        ("vitiligo", "R40", "VITILIGO", "check that the vitiligo is stable first"),
        (
            "photosensitive_disorder",
            "R41",
            "PHOTOSENSITIVE_DISORDER",
            "assess the photosensitive disorder first",
        ),
        (
            "pih_after_procedure",
            "R42",
            "PIH_HISTORY",
            "find out which procedure caused the pigmentation first",
        ),
        (
            "steroid_or_bleaching_cream_last_6_months",
            "R43",
            "STEROID_OR_BLEACHING_CREAM",
            "stop the cream and examine for steroid damage or ochronosis first",
        ),
    )
    for code, rule, flag, constraint in deferring_news:
        if yes(code):
            hit(rule, flag=flag, defers=True, **three((DEFER, constraint)))
    if yes("sun_exposure_next_4_weeks"):
        four_weeks = "strict sun protection for 4 weeks after each session, or postpone"
        hit(
            "R44",
            flag="SUN_EXPOSURE_PLANNED",
            laser=[(CAUTION, four_weeks)],
            peel=[(CAUTION, four_weeks)],
            mda=[(CAUTION, "strict sun protection for 2 weeks after each session")],
        )
    if model.unasked:
        hit(
            "R45",
            flag="ANSWERS_MISSING",
            defers=True,
            **three((DEFER, ASK_PREFIX + ", ".join(model.unasked))),
        )
    return model
