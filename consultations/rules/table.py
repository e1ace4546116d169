"""The rule table, row for row as clinical-rules.md section 4 (ruleset 2026.2).

Read each `Rule(...)` next to its row in 4.2 and its reason texts in 4.5. Every constraint string
is a row of the closed catalogue (4.6, `CONSTRAINT_CATALOGUE`); the engine refuses any other.

Effects on one treatment (4.1):
  CI        contraindicated: never suggested; listed under `excluded` with the rule's reason
  DEFER     listed for the practitioner, never the primary (only rules that always defer)
  NFL-S     caution, not first-line for safety: never the primary
  CAUTION   eligible with flag and constraints; may lead
  NOTE      constraint and/or peel-agent removal only: no caution weight, status unchanged
  PREFER    eligible and ranked up (evidence for the main goal)
  ELIGIBLE  eligible, no concern (may carry a constraint)
  NFL-E     not first-line for efficacy: may lead when no first-line option remains
  NO-LEAD   not first-line for efficacy and never the primary

An effect may hold only for part of the rule's patients (`only_if`), carry the treatment's own
reason text (shown instead of the rule's general text) and remove peel agents (R31 resolves the
agents after every answer rule). A rule's reason is shown only on the treatments it has an applied
effect on. "Any goal" conditions read every listed goal; "primary goal" reads the first.

Rule-level outcomes: `stop` rules always defer (their flag has severity `stop`); `defer_if` rules
defer only when that second condition also holds (their flag is then raised as `stop`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .answers import Answers
from .conditions import (
    AgeAtLeast,
    AllOf,
    Answered,
    AnyGoal,
    AnyOf,
    Condition,
    Fitzpatrick,
    FollowUp,
    Not,
    OnlyGoal,
    PrimaryGoal,
    QuestionsNotAsked,
    Sebum,
    Source,
)
from .vocabulary import (
    CAUTION,
    CHEMICAL_PEEL,
    INFO,
    LASER,
    MICRODERMABRASION,
    PEEL_AGENT_LABELS,
    PEEL_AGENTS,
    STOP,
    TREATMENTS,
    UNVERIFIED_SOURCES,
)

L, P, M = LASER, CHEMICAL_PEEL, MICRODERMABRASION

CONTRAINDICATE = "CI"
DEFER_KIND = "DEFER"
NFL_SAFETY = "NFL-S"
CAUTION_KIND = "CAUTION"
NOTE = "NOTE"
PREFER = "PREFER"
ELIGIBLE = "ELIGIBLE"
NFL_EFFICACY = "NFL-E"
NO_LEAD = "NO-LEAD"
EFFECT_KINDS: tuple[str, ...] = (
    CONTRAINDICATE,
    DEFER_KIND,
    NFL_SAFETY,
    CAUTION_KIND,
    NOTE,
    PREFER,
    ELIGIBLE,
    NFL_EFFICACY,
    NO_LEAD,
)

# Ranking tiers (4.4): 0 first-line, 1 not first-line for efficacy, 2 never leads for efficacy,
# 3 not first-line for safety. A tier-3 or tier-2 option ranked first makes R29 defer.
FIRST_LINE, EFFICACY_LIMITED, NO_LEAD_TIER, SAFETY_LIMITED = 0, 1, 2, 3
TIER_OF_KIND: dict[str, int] = {
    DEFER_KIND: SAFETY_LIMITED,
    NFL_SAFETY: SAFETY_LIMITED,
    NO_LEAD: NO_LEAD_TIER,
    NFL_EFFICACY: EFFICACY_LIMITED,
}
# Effects that weigh 1 in the caution weight (once per rule) and make the status `caution`.
WEIGHTED_KINDS: frozenset[str] = frozenset({CAUTION_KIND, NFL_SAFETY, DEFER_KIND})

# Typical downtime, lowest first: the last ranking key.
DOWNTIME_ORDER: tuple[str, ...] = (MICRODERMABRASION, CHEMICAL_PEEL, LASER)

AGENT_CONSTRAINT_PREFIX = "agents allowed: "
ASK_FIRST_PREFIX = "ask the patient first: "
UNASKED = "{unasked}"  # filled with the unasked codes (R45)


@dataclass(frozen=True)
class AgentText:
    """A peel reason whose wording depends on whether salicylic acid is an allowed agent."""

    with_salicylic: str
    otherwise: str

    def resolve(self, agents: tuple[str, ...]) -> str:
        return self.with_salicylic if "salicylic" in agents else self.otherwise


@dataclass(frozen=True)
class Effect:
    """What one rule does to one treatment."""

    kind: str
    constraints: tuple[str, ...] = ()
    only_if: Condition | None = None
    text: str | AgentText | None = None
    removes: tuple[str, ...] = ()

    @property
    def tier(self) -> int:
        return TIER_OF_KIND.get(self.kind, FIRST_LINE)

    @property
    def weighted(self) -> bool:
        return self.kind in WEIGHTED_KINDS

    @property
    def label(self) -> str:
        """The effect in the rule table's words, e.g. `NFL-S "treat the acne first"`."""
        words = self.kind
        if self.constraints:
            words += " " + ", ".join(f'"{c}"' for c in self.constraints)
        if self.removes:
            words += "; excl. " + ", ".join(f"`{agent}`" for agent in self.removes)
        if self.only_if is not None:
            words = f"if {self.only_if.text}: {words}"
        return words

    def applies(self, answers: Answers) -> bool:
        return self.only_if is None or self.only_if.holds(answers)

    def canonical(self) -> list[object]:
        text: object = self.text
        if isinstance(self.text, AgentText):
            text = [self.text.with_salicylic, self.text.otherwise]
        return [self.kind, list(self.constraints), repr(self.only_if), text, list(self.removes)]


def _effect(kind: str) -> Callable[..., Effect]:
    def make(
        *constraints: str,
        only_if: Condition | None = None,
        text: str | AgentText | None = None,
        removes: tuple[str, ...] = (),
    ) -> Effect:
        return Effect(kind, constraints, only_if=only_if, text=text, removes=removes)

    return make


ci = _effect(CONTRAINDICATE)
defer = _effect(DEFER_KIND)
nfl_safety = _effect(NFL_SAFETY)
caution = _effect(CAUTION_KIND)
note = _effect(NOTE)
prefer = _effect(PREFER)
eligible = _effect(ELIGIBLE)
nfl_efficacy = _effect(NFL_EFFICACY)
no_lead = _effect(NO_LEAD)


@dataclass(frozen=True, eq=False)
class Rule:
    """One row of the rule table: a condition on the answers and its effect on each treatment."""

    id: str
    when: Condition
    actions: Mapping[str, tuple[Effect, ...]]
    reason: str
    sources: tuple[str, ...]
    flag: str | None = None
    severity: str | None = None
    stop: bool = False
    defer_if: Condition | None = None
    defer_reason: str = ""

    @property
    def condition(self) -> str:
        return self.when.text

    @property
    def effects(self) -> dict[str, str]:
        """Each treatment's effect in words ("" when the rule leaves it alone)."""
        return {t: " + ".join(e.label for e in self.actions.get(t, ())) for t in TREATMENTS}

    @property
    def can_defer(self) -> bool:
        return self.stop or self.defer_if is not None

    def defers(self, answers: Answers) -> bool:
        """Whether this rule, having fired, leaves the decision to the practitioner."""
        return self.stop or (self.defer_if is not None and self.defer_if.holds(answers))

    def canonical(self) -> dict[str, object]:
        return {
            "id": self.id,
            "condition": [self.when.text, repr(self.when)],
            "actions": {t: [e.canonical() for e in effects] for t, effects in self.actions.items()},
            "reason": self.reason,
            "sources": list(self.sources),
            "flag": [self.flag, self.severity],
            "defer": [self.stop, repr(self.defer_if), self.defer_reason],
        }


@dataclass(frozen=True, eq=False)
class AgentRule:
    """R31: after every answer rule, the peel's agents are the intersection of the restrictions.

    The restrictions are the `removes` of the rules' peel effects. With no agent left the peel is
    contraindicated by this rule (`reason`, naming the restricting rules); otherwise the peel
    carries `agents`, `agents_excluded` and the one agent constraint, first.
    """

    id: str
    condition: str
    reason: str
    sources: tuple[str, ...] = ()
    flag: str | None = None
    severity: str | None = None

    @property
    def effects(self) -> dict[str, str]:
        return {
            L: "",
            P: f'NOTE "{AGENT_CONSTRAINT_PREFIX}…" and `agents` (4.3); CI when no agent is left',
            M: "",
        }

    def canonical(self) -> dict[str, object]:
        return {
            "id": self.id,
            "condition": self.condition,
            "reason": self.reason,
            "agents": dict(PEEL_AGENT_LABELS),
        }


@dataclass(frozen=True, eq=False)
class FinalRule:
    """R29: applied after every other rule, on the outcome rather than on the answers."""

    id: str
    condition: str
    reason: str
    nothing_eligible: str
    only_safety_limited: str
    no_lead_first: str
    sources: tuple[str, ...] = ()
    flag: str | None = None
    severity: str | None = None

    @property
    def effects(self) -> dict[str, str]:
        return dict.fromkeys(TREATMENTS, "")

    def canonical(self) -> dict[str, object]:
        return {
            "id": self.id,
            "condition": self.condition,
            "reason": self.reason,
            "texts": [self.nothing_eligible, self.only_safety_limited, self.no_lead_first],
        }


PORE_GOALS = ("pore_size", "oiliness")
PREGNANT_OR_BREASTFEEDING = AnyOf((Answered("pregnant"), Answered("breastfeeding")))
UNVERIFIED_PHOTOTYPE = Source(UNVERIFIED_SOURCES)
SUPERFICIAL = "superficial peel only"
GENTLE = "gentle technique"
SUN_2_WEEKS = "strict sun protection for 2 weeks after each session"
ANTIVIRAL = "antiviral prophylaxis per practitioner"
TATTOO_AREA = "avoid the tattooed area"

ISOTRETINOIN_CAUTIOUS = FollowUp(
    "isotretinoin_timing", ("current", "stopped_under_1_month", "not_sure"), or_not_asked=True
)
ISOTRETINOIN_STOPPED_1_TO_6 = FollowUp("isotretinoin_timing", ("stopped_1_to_6_months",))


def _all_three(effect: Effect) -> dict[str, tuple[Effect, ...]]:
    return {L: (effect,), P: (effect,), M: (effect,)}


RULES: tuple[Rule | AgentRule | FinalRule, ...] = (
    Rule(
        id="R01",
        when=Answered("active_infection_or_cold_sore"),
        actions=_all_three(ci()),
        flag="ACTIVE_INFECTION",
        severity=STOP,
        stop=True,
        defer_reason="active infection or cold sore in the area; treat and reassess when healed.",
        reason=(
            "Active infection, cold sore or open wound in the area: treating it risks spreading "
            "the infection (including herpes) over wounded skin."
        ),
        sources=("S36", "S57", "S63"),
    ),
    Rule(
        id="R02",
        when=Answered("suspicious_lesion"),
        actions=_all_three(ci()),
        flag="SUSPICIOUS_LESION",
        severity=STOP,
        stop=True,
        defer_reason="new, changing or undiagnosed lesion in the area; refer for diagnosis first.",
        reason=(
            "An undiagnosed or changing mole or dark patch needs a diagnosis first: laser over "
            "such lesions has delayed melanoma diagnosis, and skin cancer contraindicates peels."
        ),
        sources=("S35", "S46"),
    ),
    Rule(
        id="R03",
        when=Answered("dermatitis_in_area"),
        actions={L: (defer("assess the dermatitis first"),), P: (ci(),), M: (ci(),)},
        flag="DERMATITIS_IN_AREA",
        severity=STOP,
        stop=True,
        defer_reason=(
            "eczema, psoriasis or dermatitis in the area; peels and microdermabrasion are "
            "contraindicated and laser needs the practitioner's assessment."
        ),
        reason=(
            "Eczema, psoriasis or dermatitis in the area: peels and microdermabrasion irritate it "
            "or trigger new lesions (Koebner), and laser is the practitioner's call."
        ),
        sources=("S36", "S46"),
    ),
    Rule(
        id="R04",
        when=Answered("systemic_gold_therapy_ever"),
        actions={L: (ci(),)},
        flag="GOLD_THERAPY",
        severity=CAUTION,
        reason=(
            "Systemic gold therapy, even decades ago: Q-switched lasers have caused permanent "
            "blue-grey discolouration (chrysiasis); picosecond lasers are assumed to carry the "
            "same risk (case reports only)."
        ),
        sources=("S34",),
    ),
    Rule(
        id="R05",
        when=Answered("pregnant"),
        actions={
            L: (
                ci(
                    text=(
                        "Pregnant, trying to conceive or not sure: elective laser waits until "
                        "after pregnancy (no safety data)."
                    )
                ),
            ),
            P: (
                caution(
                    removes=("salicylic", "mandelic", "jessner", "tca"),
                    text=(
                        "Pregnant, trying to conceive or not sure: only glycolic or lactic acid "
                        "peels are considered acceptable; salicylic acid, TCA and other agents "
                        "are avoided (no controlled data)."
                    ),
                ),
            ),
            M: (
                caution(
                    text=(
                        "Pregnant, trying to conceive or not sure: microdermabrasion is "
                        "considered low risk, but with no controlled data it is done with "
                        "caution."
                    )
                ),
            ),
        },
        flag="PREGNANCY",
        severity=CAUTION,
        reason=(
            "Pregnant, trying to conceive or not sure: there are no controlled safety data for "
            "elective procedures, so laser waits and peels are limited to glycolic or lactic acid."
        ),
        sources=("S52", "S53", "S54", "mandelic acid: expert practice"),
    ),
    Rule(
        id="R06",
        when=Answered("breastfeeding"),
        actions=_all_three(caution()),
        flag="BREASTFEEDING",
        severity=CAUTION,
        reason=(
            "Breastfeeding: most procedures are considered safe in lactation, but the "
            "practitioner confirms the products and timing."
        ),
        sources=("S52",),
    ),
    Rule(
        id="R07",
        when=Answered("isotretinoin_last_6_months"),
        actions={
            L: (
                caution(
                    "no fully ablative laser",
                    text=(
                        "Oral isotretinoin in the last 6 months: consensus found no evidence to "
                        "delay non-ablative or fractional laser; fully ablative laser is not "
                        "recommended."
                    ),
                ),
            ),
            P: (
                caution(
                    SUPERFICIAL,
                    text=(
                        "Oral isotretinoin in the last 6 months: consensus found no evidence to "
                        "delay superficial peels; medium-depth and deep peels are not suggested."
                    ),
                ),
            ),
            M: (
                # Not asked (a 2026.1 consultation) takes the most cautious branch (contract 1.3).
                nfl_safety(
                    "wait until at least 1 month after the last isotretinoin dose",
                    "standard microdermabrasion only; no dermabrasion",
                    only_if=ISOTRETINOIN_CAUTIOUS,
                    text=(
                        "Isotretinoin now, stopped under a month ago or timing unknown: the skin "
                        "is dry and fragile and the consensus did not address microdermabrasion, "
                        "so it is not first-line (expert practice)."
                    ),
                ),
                caution(
                    "standard microdermabrasion only; no dermabrasion",
                    only_if=ISOTRETINOIN_STOPPED_1_TO_6,
                    text=(
                        "Isotretinoin stopped 1–6 months ago: the consensus did not address "
                        "microdermabrasion; standard, gentle microdermabrasion only (expert "
                        "practice)."
                    ),
                ),
            ),
        },
        flag="ISOTRETINOIN_RECENT",
        severity=CAUTION,
        reason=(
            "Oral isotretinoin now or in the last 6 months: a 2017 consensus found no evidence to "
            "delay superficial peels or non-ablative and fractional laser and advised against "
            "fully ablative laser and mechanical dermabrasion; it did not address "
            "microdermabrasion. The label still advises 6 months, so the practitioner confirms."
        ),
        sources=("S50", "S51", "microdermabrasion: expert practice"),
    ),
    Rule(
        id="R08",
        when=Answered("keloid_history"),
        actions={
            L: (
                nfl_safety(
                    "no ablative resurfacing, fully or fractional",
                    text=(
                        "Keloid or raised-scar tendency: no ablative resurfacing (laser trials "
                        "excluded keloid formers), so laser is not first-line."
                    ),
                ),
            ),
            P: (
                caution(
                    SUPERFICIAL,
                    removes=("tca",),
                    text=(
                        "Keloid or raised-scar tendency: superficial peels only, without TCA "
                        "(IADVL lists keloid tendency as a contraindication to peeling)."
                    ),
                ),
            ),
            M: (
                caution(
                    text=(
                        "Keloid or raised-scar tendency: microdermabrasion is superficial but is "
                        "done with caution."
                    )
                ),
            ),
        },
        flag="KELOID_HISTORY",
        severity=CAUTION,
        defer_if=AnyGoal(("acne_scars",)),
        defer_reason=(
            "keloid or raised-scar tendency with an acne-scar goal; scar resurfacing needs the "
            "practitioner's assessment."
        ),
        reason=(
            "Keloid or raised-scar tendency: keep to superficial peels without TCA or "
            "microdermabrasion and avoid ablative resurfacing (laser trials excluded keloid "
            "formers)."
        ),
        sources=("S36", "S22", "S46", "TCA: expert practice"),
    ),
    Rule(
        id="R09",
        when=Answered("recent_tan"),
        actions={
            L: (ci(text="Recent tan or self-tan: laser waits until it has faded."),),
            P: (
                nfl_safety(
                    "postpone until the tan has faded",
                    text=(
                        'Recent tan: "presence of tan" is listed as a contraindication to '
                        "superficial peels, so the peel is postponed until it has faded."
                    ),
                ),
            ),
            M: (
                caution(
                    "not on sunburnt or peeling skin",
                    GENTLE,
                    text=(
                        "Recent tan: gentle microdermabrasion only, never on sunburnt or peeling "
                        "skin; with Fitzpatrick III–VI, melasma or a pigmentation goal the "
                        "practitioner decides."
                    ),
                ),
            ),
        },
        flag="RECENT_TAN",
        severity=CAUTION,
        defer_if=AnyOf((Fitzpatrick(3), Answered("melasma"), AnyGoal(("tone_pigmentation",)))),
        defer_reason=(
            "recent tan or self-tan with Fitzpatrick III–VI, melasma or a pigmentation goal; "
            "reassess when it has faded."
        ),
        reason=(
            "Recent sun tan, sunburn, sunbed or self-tan: a sun or sunbed tan raises epidermal "
            "melanin, so the skin reacts like a darker type; self-tan is a surface stain, not "
            "melanin, but it hides the true skin colour and pigment. Treatment is reassessed when "
            "it has faded."
        ),
        sources=("S44", "S46", "S38", "self-tan: expert practice"),
    ),
    Rule(
        id="R10",
        when=Answered("photosensitising_meds"),
        actions={
            L: (
                nfl_safety(
                    "review the photosensitising medicine first",
                    text=(
                        "Photosensitising medicine: laser trials excluded these patients; review "
                        "the medicine first."
                    ),
                ),
            ),
            P: (
                ci(text="Photosensitising medicine: a contraindication to chemical peels (IADVL)."),
            ),
            M: (
                caution(
                    SUN_2_WEEKS,
                    text=(
                        "Photosensitising medicine: abraded skin is more sun-sensitive for some "
                        "days, so sun protection afterwards is strict (expert practice)."
                    ),
                ),
            ),
        },
        flag="PHOTOSENSITISING_MEDS",
        severity=CAUTION,
        reason=(
            "Photosensitising medicine: a contraindication to chemical peels (IADVL); laser "
            "trials excluded patients taking such medicines; treated skin is more sun-sensitive "
            "afterwards."
        ),
        sources=("S36", "S22", "microdermabrasion: expert practice"),
    ),
    Rule(
        id="R11",
        when=Answered("active_inflamed_acne"),
        actions={
            L: (
                nfl_safety(
                    "treat the acne first",
                    text=(
                        "Active inflamed acne: treat the acne first; laser is not first-line "
                        "while it is active."
                    ),
                ),
            ),
            # The peel's agent is chosen by R31, not here.
            P: (
                prefer(
                    text=AgentText(
                        with_salicylic=(
                            "Active inflamed acne: superficial salicylic acid peels treat "
                            "inflammatory and comedonal acne, including in Asian skin (small "
                            "series)."
                        ),
                        otherwise=(
                            "Active inflamed acne: a superficial peel with one of the allowed "
                            "agents can help treat it."
                        ),
                    )
                ),
            ),
            M: (
                ci(
                    text=(
                        "Active inflamed acne: microdermabrasion is a relative contraindication "
                        "and may worsen acne."
                    )
                ),
            ),
        },
        flag="ACTIVE_INFLAMED_ACNE",
        severity=CAUTION,
        reason=(
            "Active inflamed acne: a superficial peel can treat it, microdermabrasion may worsen "
            "it, and laser waits until the acne is treated."
        ),
        sources=("S40", "S41", "S37", "S57", "S60"),
    ),
    Rule(
        id="R12",
        when=Answered("salicylate_allergy"),
        actions={
            P: (
                caution(
                    "check that no product used contains salicylates",
                    removes=("salicylic", "jessner"),
                ),
            ),
        },
        flag="SALICYLATE_ALLERGY",
        severity=CAUTION,
        reason=(
            "Salicylate or aspirin allergy: salicylic acid peels and Jessner's solution (14% "
            "salicylic acid) are excluded, and every other product used must be salicylate-free."
        ),
        sources=("S45", "expert opinion"),
    ),
    Rule(
        id="R13",
        when=Answered("active_rosacea"),
        actions={
            L: (
                nfl_safety(
                    "treat the rosacea first",
                    text=(
                        "Active rosacea: picosecond laser does not treat rosacea and its heat "
                        "can flare it."
                    ),
                ),
            ),
            P: (
                nfl_safety(
                    "treat the rosacea first", text="Active rosacea: peels irritate rosacea skin."
                ),
            ),
            M: (ci(text="Active rosacea: microdermabrasion is a relative contraindication."),),
        },
        flag="ACTIVE_ROSACEA",
        severity=STOP,
        stop=True,
        defer_reason="active rosacea; treat it and reassess.",
        reason=(
            "Active rosacea: microdermabrasion is a relative contraindication, peels irritate "
            "rosacea, and picosecond laser does not treat rosacea while its heat can flare it; "
            "treat the rosacea first."
        ),
        sources=("S57", "expert practice"),
    ),
    Rule(
        id="R14",
        when=Answered("melasma"),
        actions={
            L: (
                nfl_safety(
                    "no low-fluence laser toning",
                    text=(
                        "Melasma: lasers are a last resort, and low-fluence laser toning can "
                        "leave mottled depigmentation."
                    ),
                ),
            ),
            P: (
                caution(
                    SUPERFICIAL,
                    "prime the skin with topicals first",
                    only_if=Not(PREGNANT_OR_BREASTFEEDING),
                    text=(
                        "Melasma: superficial peels are second-line after topical treatment, "
                        "with the skin primed first."
                    ),
                ),
                caution(
                    SUPERFICIAL,
                    "prime the skin first with topicals safe in pregnancy and breastfeeding "
                    "only, such as azelaic acid and sun protection; no hydroquinone, tretinoin "
                    "or other retinoids",
                    only_if=PREGNANT_OR_BREASTFEEDING,
                    text=(
                        "Melasma: superficial peels are second-line after topical treatment, "
                        "with the skin primed first."
                    ),
                ),
                prefer(),
            ),
            M: (
                caution(
                    GENTLE,
                    text="Melasma: microdermabrasion does little for melasma and is done gently.",
                ),
            ),
        },
        flag="MELASMA",
        severity=CAUTION,
        reason=(
            "Melasma: peels are second-line after topical treatment and lasers a last resort, "
            "since laser toning can leave mottled depigmentation."
        ),
        sources=(
            "S43",
            "S49",
            "S33",
            "priming in pregnancy and breastfeeding: expert practice",
        ),
    ),
    Rule(
        id="R15",
        when=Answered("immunosuppressed_or_poor_healing"),
        actions=_all_three(defer("individual assessment of wound healing first")),
        flag="IMPAIRED_HEALING",
        severity=STOP,
        stop=True,
        defer_reason=(
            "immunosuppression or poor wound healing; any treatment needs an individual "
            "assessment of healing."
        ),
        reason=(
            "Immunosuppression, uncontrolled diabetes or slow wound healing: any resurfacing "
            "needs an individual assessment (laser trials excluded immunodeficiency)."
        ),
        sources=("S22", "S66", "expert opinion"),
    ),
    Rule(
        id="R16",
        when=Fitzpatrick(3),
        actions={
            L: (
                caution(
                    "test spot",
                    "settings for pigmented skin: longer wavelength where possible, low density, "
                    "conservative fluence, cooling",
                    text=(
                        "Fitzpatrick III–VI: PIH risk; a test spot and settings chosen for "
                        "pigmented skin."
                    ),
                ),
                # Lifted when the practitioner has confirmed the phototype (section 6).
                caution(
                    "confirm the phototype at examination",
                    only_if=UNVERIFIED_PHOTOTYPE,
                    text=(
                        "Fitzpatrick III–VI: PIH risk; a test spot and settings chosen for "
                        "pigmented skin."
                    ),
                ),
            ),
            P: (
                caution(
                    SUPERFICIAL,
                    only_if=Fitzpatrick(3, 3),
                    text="Fitzpatrick III: PIH risk; superficial peels only.",
                ),
                caution(
                    SUPERFICIAL,
                    only_if=Fitzpatrick(4, 4),
                    removes=("tca",),
                    text="Fitzpatrick IV: PIH risk; superficial peels only, without TCA.",
                ),
                caution(
                    SUPERFICIAL,
                    only_if=Fitzpatrick(5),
                    removes=("glycolic", "jessner", "tca"),
                    text=(
                        "Fitzpatrick V–VI: PIH risk; superficial peels only, without TCA, "
                        "glycolic acid or Jessner's solution."
                    ),
                ),
            ),
            M: (
                caution(
                    GENTLE,
                    text=(
                        "Fitzpatrick III–VI: PIH has been reported after vigorous "
                        "microdermabrasion in darker skin, so the technique is gentle."
                    ),
                ),
            ),
        },
        flag="PIH_RISK",
        severity=CAUTION,
        reason=(
            "Fitzpatrick III–VI: the risk of post-inflammatory hyperpigmentation (PIH) rises with "
            "pigment and is common after procedures in Asian skin from type III."
        ),
        sources=("S69", "S30", "S31", "S38", "S41", "S46", "S65", "S3"),
    ),
    Rule(
        id="R17",
        when=AllOf((Fitzpatrick(5), PrimaryGoal(("pore_size", "oiliness", "tone_pigmentation")))),
        actions={
            L: (
                nfl_safety(
                    text=(
                        "Fitzpatrick V–VI with pores, oiliness or pigmentation as the main goal: "
                        "laser carries more pigment risk than a superficial peel, so it is not "
                        "first-line."
                    )
                ),
            ),
            P: (
                prefer(
                    text=AgentText(
                        with_salicylic=(
                            "Fitzpatrick V–VI with pores, oiliness or pigmentation as the main "
                            "goal: superficial salicylic acid peels were well tolerated in small "
                            "studies of dark skin."
                        ),
                        otherwise=(
                            "Fitzpatrick V–VI with pores, oiliness or pigmentation as the main "
                            "goal: a superficial peel with one of the allowed agents is generally "
                            "lower risk than laser (expert practice)."
                        ),
                    )
                ),
            ),
        },
        reason=(
            "Fitzpatrick V–VI with pores, oiliness or pigmentation as the main goal: a "
            "superficial peel carries less pigment risk than laser."
        ),
        sources=("S37", "S39"),
    ),
    Rule(
        id="R18",
        when=Fitzpatrick(6),
        actions={L: (nfl_safety(),)},
        reason=(
            "Fitzpatrick VI: in one retrospective series type VI had about five times the odds "
            "of side effects even with superficial peels (few type VI patients), and laser data "
            "for type VI are sparse, so laser is not first-line."
        ),
        sources=("S38", "S31"),
    ),
    Rule(
        id="R19",
        when=AllOf((Sebum(("oily", "very_oily")), PrimaryGoal(PORE_GOALS))),
        actions={
            P: (
                prefer(
                    text=AgentText(
                        with_salicylic=(
                            "Oily skin with pores or oiliness as the main goal: sebum output is "
                            "the main correlate of pore size, and a superficial salicylic acid "
                            "peel targets sebum and comedones."
                        ),
                        otherwise=(
                            "Oily skin with pores or oiliness as the main goal: sebum output is "
                            "the main correlate of pore size; a superficial peel with one of the "
                            "allowed agents is first-line."
                        ),
                    )
                ),
            ),
        },
        reason=(
            "Oily skin with pores or oiliness as the main goal: sebum output is the main "
            "correlate of pore size."
        ),
        sources=("S12", "S13", "S15", "S39"),
    ),
    Rule(
        id="R19a",
        when=PrimaryGoal(PORE_GOALS),
        actions={L: (prefer(),), P: (prefer(),), M: (nfl_efficacy(),)},
        reason=(
            "Pores or oiliness as the main goal: laser and chemical peels are first-line, "
            "microdermabrasion has the weakest pore evidence."
        ),
        sources=("S55", "S58", "S16"),
    ),
    Rule(
        id="R20",
        when=Sebum(("dry",)),
        actions={P: (note(removes=("salicylic", "jessner")),)},
        reason=(
            "Dry skin: salicylic acid peels dried about a third of patients in series and "
            "Jessner's solution contains salicylic acid, so neither is used."
        ),
        sources=("S37", "S40", "Jessner's solution: expert practice"),
    ),
    Rule(
        id="R21",
        when=PrimaryGoal(("acne_scars",)),
        actions={
            L: (
                prefer(
                    "picosecond or non-ablative fractional laser",
                    text=(
                        "Acne scars as the main goal: picosecond and fractional lasers improved "
                        "scars in small studies."
                    ),
                ),
            ),
            P: (
                eligible(
                    SUPERFICIAL,
                    text="Acne scars as the main goal: superficial peels help shallow scars only.",
                ),
            ),
            M: (
                no_lead(
                    text=(
                        "Acne scars as the main goal: microdermabrasion is too superficial for "
                        "scars, so it does not lead."
                    )
                ),
            ),
        },
        reason="Acne scars as the main goal.",
        sources=("S21", "S22", "S23", "S31", "S56"),
    ),
    Rule(
        id="R22",
        when=PrimaryGoal(("fine_lines",)),
        actions={
            L: (
                prefer(
                    text=(
                        "Fine lines as the main goal: picosecond laser improved wrinkles in "
                        "small studies."
                    )
                ),
            ),
            P: (
                eligible(
                    text="Fine lines as the main goal: superficial peels help fine wrinkling."
                ),
            ),
            M: (
                no_lead(
                    text=(
                        "Fine lines as the main goal: microdermabrasion did not improve wrinkles "
                        "in a histology-controlled study, so it does not lead."
                    )
                ),
            ),
        },
        reason="Fine lines as the main goal.",
        sources=("S24", "S56"),
    ),
    Rule(
        id="R23",
        when=AllOf((PrimaryGoal(("pore_size",)), AgeAtLeast(45))),
        actions={L: (prefer(),)},
        reason=(
            "Pores as the main goal at 45 or over: pores widened by lost elasticity may respond "
            "to laser collagen remodelling (modest evidence; the effect can fade without "
            "maintenance)."
        ),
        sources=("S13", "S14", "S25", "S27"),
    ),
    Rule(
        id="R24",
        when=OnlyGoal("texture"),
        actions={L: (eligible(),), P: (eligible(),), M: (eligible(),)},
        reason=(
            "Texture as the only goal: all three treatments improve roughness, and "
            "microdermabrasion is an acceptable first choice with the least downtime."
        ),
        sources=("S56", "S55"),
    ),
    Rule(
        id="R25",
        when=PrimaryGoal(("tone_pigmentation",)),
        actions={
            L: (
                prefer(
                    "picosecond laser",
                    only_if=Fitzpatrick(1, 4),
                    text=(
                        "Tone or pigmentation as the main goal: picosecond laser has evidence for "
                        "benign pigmented lesions in types I–IV, once the pigment has been "
                        "diagnosed."
                    ),
                ),
            ),
            P: (
                prefer(
                    text=(
                        "Tone or pigmentation as the main goal: superficial peels are used across "
                        "skin types, within the agent limits for darker skin."
                    )
                ),
            ),
            M: (
                no_lead(
                    text=(
                        "Tone or pigmentation as the main goal: microdermabrasion does little for "
                        "pigment, so it does not lead."
                    )
                ),
            ),
        },
        reason="Tone or pigmentation as the main goal.",
        sources=("S19", "S55", "S37"),
    ),
    Rule(
        id="R26",
        when=Answered("hsv_history"),
        actions={L: (caution(ANTIVIRAL),), P: (caution(ANTIVIRAL),), M: (caution(),)},
        flag="HSV_HISTORY",
        severity=CAUTION,
        reason=(
            "History of cold sores: resurfacing can reactivate herpes, so the practitioner "
            "decides on antiviral prophylaxis."
        ),
        sources=("S62", "S63"),
    ),
    Rule(
        id="R27",
        when=Answered("topical_retinoid_last_7_days"),
        actions={
            P: (note("hold the retinoid 3–7 days before the peel"),),
            M: (note("hold the retinoid about 3 days before and after"),),
        },
        flag="RECENT_RETINOID",
        severity=INFO,
        reason=(
            "Topical retinoid in the last 7 days: it makes peel penetration uneven and abrasion "
            "more irritating, so it is held first."
        ),
        sources=("S62", "low quality"),
    ),
    Rule(
        id="R28",
        when=Answered("anticoagulant_or_bleeding_disorder"),
        actions={L: (caution(),), M: (nfl_safety("short suction dwell time"),)},
        flag="BLEEDING_RISK",
        severity=CAUTION,
        reason=(
            "Blood thinners or a bleeding disorder: microdermabrasion suction can cause purpura "
            "and picosecond laser petechiae."
        ),
        sources=("S57", "S23"),
    ),
    Rule(
        id="R30",
        when=AllOf((Answered("pregnant"), Answered("isotretinoin_last_6_months"))),
        actions=_all_three(defer("no procedure until the prescriber has been contacted")),
        flag="ISOTRETINOIN_PREGNANCY",
        severity=STOP,
        stop=True,
        defer_reason=(
            "isotretinoin with pregnancy, trying to conceive or possible pregnancy; urgent "
            "referral to the prescriber."
        ),
        reason=(
            "Oral isotretinoin now or in the last 6 months with pregnancy, trying to conceive or "
            "possible pregnancy: isotretinoin is a potent teratogen and pregnancy must be avoided "
            "during treatment and for 1 month after the last dose. No cosmetic procedure: contact "
            "the patient and refer to the prescriber, urgently (the same working day) if she is "
            "taking it now, stopped less than a month ago or is not sure; otherwise the "
            "prescriber confirms the dates against conception."
        ),
        sources=("S67", "S50", "S51"),
    ),
    Rule(
        id="R32",
        when=AllOf(
            (
                UNVERIFIED_PHOTOTYPE,
                AnyOf((AnyGoal(("tone_pigmentation",)), Answered("melasma"))),
            )
        ),
        actions={
            L: (
                nfl_safety(
                    "confirm the phototype and the pigment diagnosis at examination before any "
                    "laser"
                ),
            ),
        },
        flag="PIGMENT_NOT_EXAMINED",
        severity=CAUTION,
        reason=(
            "Phototype not yet confirmed by a practitioner, with a pigmentation goal or melasma: "
            "the pigment needs a diagnosis first (melasma, Hori's naevus, PIH and lentigines are "
            "treated differently, and laser toning of melasma can leave mottled "
            "depigmentation), so laser is not first-line until the practitioner has examined "
            "the skin."
        ),
        sources=("S3", "S33", "S35", "S49"),
    ),
    Rule(
        id="R33",
        when=AllOf(
            (
                Answered("active_inflamed_acne"),
                FollowUp("inflamed_acne_severity", ("nodules_cysts", "not_sure")),
            )
        ),
        actions=_all_three(defer("refer for medical acne treatment first")),
        flag="NODULOCYSTIC_ACNE",
        severity=STOP,
        stop=True,
        defer_reason="nodules or cysts (or not sure); refer for medical acne treatment.",
        reason=(
            "Nodules or cysts, or the patient is not sure: nodulocystic acne needs medical "
            "treatment (often oral) and scars easily; no cosmetic procedure is suggested until it "
            "has been assessed."
        ),
        sources=("S68", "S57"),
    ),
    Rule(
        id="R34",
        when=Answered("cosmetic_tattoo_in_area"),
        actions={
            L: (caution("keep the laser off cosmetic tattoos: shield or skip them"),),
            P: (
                note(
                    TATTOO_AREA,
                    text=(
                        "Cosmetic tattoo in or near the area: peeling or abrasion over it may "
                        "fade or blur it, so the tattooed area is avoided (expert practice)."
                    ),
                ),
            ),
            M: (
                note(
                    TATTOO_AREA,
                    text=(
                        "Cosmetic tattoo in or near the area: peeling or abrasion over it may "
                        "fade or blur it, so the tattooed area is avoided (expert practice)."
                    ),
                ),
            ),
        },
        flag="COSMETIC_TATTOO",
        severity=CAUTION,
        reason=(
            "Cosmetic tattoo (eyebrow embroidery, eyeliner, lip blush) in or near the area: "
            "Q-switched lasers have turned such pigments permanently dark; picosecond lasers are "
            "assumed to carry the same risk."
        ),
        sources=("S71", "picosecond: extrapolation"),
    ),
    Rule(
        id="R35",
        when=Answered("injectable_last_2_weeks"),
        actions=_all_three(
            note("schedule at least 2 weeks after filler, skin booster or botulinum toxin")
        ),
        flag="RECENT_INJECTABLE",
        severity=INFO,
        reason=(
            "Filler, skin booster or botulinum toxin in the face in the last 2 weeks: treatment "
            "is scheduled at least 2 weeks after injections so that swelling settles and the "
            "product is not displaced (expert practice)."
        ),
        sources=("expert practice",),
    ),
    Rule(
        id="R36",
        when=Answered("surgery_in_area_last_6_months"),
        actions=_all_three(defer("check healing and the surgeon's advice first")),
        flag="RECENT_SURGERY",
        severity=STOP,
        stop=True,
        defer_reason=(
            "surgery or thread lift in the area in the last 6 months; check healing first."
        ),
        reason=(
            "Surgery or a thread lift in the area in the last 6 months: healing and the surgeon's "
            "advice are checked before any resurfacing (expert practice)."
        ),
        sources=("S66", "expert practice"),
    ),
    Rule(
        id="R37",
        when=Answered("resurfacing_in_area_last_4_weeks"),
        actions=_all_three(
            caution(
                "at least 4 weeks after the last resurfacing procedure in the area, unless the "
                "practitioner confirms full recovery"
            )
        ),
        flag="RECENT_PROCEDURE",
        severity=CAUTION,
        reason=(
            "Laser, light, peel, microneedling, radiofrequency or microdermabrasion in the area "
            "in the last 4 weeks: treating again too soon adds irritation and PIH risk, so the "
            "practitioner checks what was done and spaces the sessions (expert practice)."
        ),
        sources=("expert practice",),
    ),
    Rule(
        id="R38",
        when=Answered("hair_removal_in_area_last_7_days"),
        actions={
            P: (
                note(
                    "no peel within 7 days of waxing, threading, epilation or hair-removal cream "
                    "in the area"
                ),
            ),
            M: (
                note(
                    "no microdermabrasion within 7 days of waxing, threading, epilation or "
                    "hair-removal cream in the area"
                ),
            ),
        },
        flag="RECENT_HAIR_REMOVAL",
        severity=INFO,
        reason=(
            "Waxing, threading, epilation or hair-removal cream in the area in the last 7 days: "
            "it strips and irritates the surface, so a peel or microdermabrasion there waits 7 "
            "days (expert practice)."
        ),
        sources=("expert practice",),
    ),
    Rule(
        id="R39",
        when=Answered("radiotherapy_to_area"),
        actions=_all_three(defer("assess the irradiated skin first")),
        flag="RADIOTHERAPY_IN_AREA",
        severity=STOP,
        stop=True,
        defer_reason="radiotherapy to the area; assess the skin first.",
        reason=(
            "Radiotherapy to the area: irradiated skin has fewer adnexal structures and heals "
            "poorly after resurfacing, so the practitioner assesses it first (expert practice)."
        ),
        sources=("S66", "expert practice"),
    ),
    Rule(
        id="R40",
        when=Answered("vitiligo"),
        actions=_all_three(defer("check that the vitiligo is stable first")),
        flag="VITILIGO",
        severity=STOP,
        stop=True,
        defer_reason="vitiligo; the practitioner checks its activity first.",
        reason=(
            "Vitiligo: laser and other skin injury can trigger new patches (Koebner phenomenon). "
            "Laser-induced vitiligo is uncommon, and experts weigh stability and signs of "
            "activity before treating."
        ),
        sources=("S72",),
    ),
    Rule(
        id="R41",
        when=Answered("photosensitive_disorder"),
        actions=_all_three(defer("assess the photosensitive disorder first")),
        flag="PHOTOSENSITIVE_DISORDER",
        severity=STOP,
        stop=True,
        defer_reason="photosensitive disorder; assess it first.",
        reason=(
            "Photosensitive disorder (lupus, polymorphic light eruption, porphyria or similar): "
            "treated skin is more light-sensitive and inflammation can flare the disease, so the "
            "practitioner assesses it first (expert practice)."
        ),
        sources=("expert practice", "cf. S36"),
    ),
    Rule(
        id="R42",
        when=Answered("pih_after_procedure"),
        actions=_all_three(defer("find out which procedure caused the pigmentation first")),
        flag="PIH_HISTORY",
        severity=STOP,
        stop=True,
        defer_reason="PIH after a previous procedure; find out which one first.",
        reason=(
            "Dark patches lasting over a month after a previous procedure: in practice the best "
            "predictor of PIH after the next procedure in Asian skin; the practitioner finds out "
            "which procedure and settings caused it before choosing (expert practice)."
        ),
        sources=("S69", "S70", "expert practice"),
    ),
    Rule(
        id="R43",
        when=Answered("steroid_or_bleaching_cream_last_6_months"),
        actions=_all_three(
            defer("stop the cream and examine for steroid damage or ochronosis first")
        ),
        flag="STEROID_OR_BLEACHING_CREAM",
        severity=STOP,
        stop=True,
        defer_reason="steroid or lightening cream; examine the skin first.",
        reason=(
            "Prolonged steroid cream or an unprescribed or unknown lightening cream on the face: "
            "steroid-damaged skin (thinning, visible vessels, steroid rosacea) and products "
            "containing mercury or strong hydroquinone (exogenous ochronosis) change how the "
            "skin heals and reacts, so the practitioner examines it first."
        ),
        sources=("S73",),
    ),
    Rule(
        id="R44",
        when=Answered("sun_exposure_next_4_weeks"),
        actions={
            L: (caution("strict sun protection for 4 weeks after each session, or postpone"),),
            P: (caution("strict sun protection for 4 weeks after each session, or postpone"),),
            M: (caution(SUN_2_WEEKS),),
        },
        flag="SUN_EXPOSURE_PLANNED",
        severity=CAUTION,
        reason=(
            "Strong sun expected in the next 4 weeks (outdoor work, sport or a holiday): sun on "
            "freshly treated skin is a main trigger of PIH, so sessions are timed around it or "
            "strict photoprotection is confirmed."
        ),
        sources=("S47", "S69", "S70"),
    ),
    Rule(
        id="R45",
        when=QuestionsNotAsked(),
        actions=_all_three(defer(ASK_FIRST_PREFIX + UNASKED)),
        flag="ANSWERS_MISSING",
        severity=STOP,
        stop=True,
        defer_reason="questions added in 2026.2 not asked; ask the patient first.",
        reason=(
            f"Questions added in questionnaire 2026.2 were not asked: {UNASKED}. The options "
            "listed assume that none of them applies; ask the patient, record the answers and "
            "re-run the rules."
        ),
        sources=("intake-contract.md 1.3",),
    ),
    AgentRule(
        id="R31",
        condition="always, after every rule above (peel agents, clinical-rules.md 4.3)",
        reason=(
            "No superficial peel agent satisfies every restriction that applies ({rules}), so no "
            "peel is suggested automatically."
        ),
        sources=("clinical-rules.md 4.3",),
    ),
    FinalRule(
        id="R29",
        condition=(
            "the outcome: a rule deferred (R01, R02, R03, R13, R15, R30, R33, R36, R39–R43, R45 "
            "always; R08 with an acne-scar goal; R09 with Fitzpatrick III–VI, melasma or a "
            "pigmentation goal); or no treatment is eligible; or the first suggestion is not "
            "first-line for safety (tier 3) or never leads (tier 2)"
        ),
        reason=(
            "The rules make no automatic suggestion; the practitioner decides from the "
            "remaining options, flags and reasons."
        ),
        nothing_eligible=(
            "every treatment is contraindicated (see excluded); no automatic suggestion."
        ),
        only_safety_limited=(
            "every remaining option is not first-line for safety reasons ({limits}); the "
            "practitioner decides."
        ),
        no_lead_first=(
            "the best remaining option, {treatment}, does not lead for this main goal ({rules}); "
            "the practitioner decides."
        ),
        sources=("clinical-rules.md 4.4",),
    ),
)


@dataclass(frozen=True)
class CatalogueEntry:
    """One row of the constraint catalogue (4.6): the exact text and where it may appear."""

    treatments: tuple[str, ...]
    text: str
    kind: str
    rules: str
    pattern: bool = False

    def matches(self, treatment: str, constraint: str) -> bool:
        if treatment not in self.treatments:
            return False
        return constraint.startswith(self.text) if self.pattern else constraint == self.text


def _rows(treatments: tuple[str, ...], *rows: tuple[str, str, str]) -> list[CatalogueEntry]:
    return [CatalogueEntry(treatments, text, kind, rules) for text, kind, rules in rows]


ALL = TREATMENTS
# Every constraint the rules may emit, in catalogue row order: a suggestion's constraints are
# sorted by this order, whichever rules added them.
CONSTRAINT_CATALOGUE: tuple[CatalogueEntry, ...] = (
    *_rows(
        (L,),
        ("assess the dermatitis first", "check", "R03"),
        ("no fully ablative laser", "prohibition", "R07"),
        ("no ablative resurfacing, fully or fractional", "prohibition", "R08"),
        ("review the photosensitising medicine first", "check", "R10"),
        ("treat the acne first", "timing", "R11"),
        ("treat the rosacea first", "timing", "R13"),
        ("no low-fluence laser toning", "prohibition", "R14"),
        ("test spot", "technique", "R16"),
        (
            "settings for pigmented skin: longer wavelength where possible, low density, "
            "conservative fluence, cooling",
            "technique",
            "R16",
        ),
        ("confirm the phototype at examination", "check", "R16"),
        ("picosecond or non-ablative fractional laser", "positive (laser type)", "R21"),
        ("picosecond laser", "positive (laser type)", "R25"),
        (ANTIVIRAL, "check", "R26"),
        (
            "confirm the phototype and the pigment diagnosis at examination before any laser",
            "check",
            "R32",
        ),
        ("keep the laser off cosmetic tattoos: shield or skip them", "prohibition", "R34"),
    ),
    CatalogueEntry(
        (P,), AGENT_CONSTRAINT_PREFIX, "positive (agents; always first)", "R31", pattern=True
    ),
    *_rows(
        (P,),
        (SUPERFICIAL, "positive (depth)", "R07, R08, R14, R16, R21"),
        ("postpone until the tan has faded", "timing", "R09"),
        ("check that no product used contains salicylates", "check", "R12"),
        ("treat the rosacea first", "timing", "R13"),
        (
            "prime the skin with topicals first",
            "preparation",
            "R14, unless `pregnant` or `breastfeeding`",
        ),
        (
            "prime the skin first with topicals safe in pregnancy and breastfeeding only, such as "
            "azelaic acid and sun protection; no hydroquinone, tretinoin or other retinoids",
            "preparation",
            "R14, if `pregnant` or `breastfeeding`",
        ),
        (ANTIVIRAL, "check", "R26"),
        ("hold the retinoid 3–7 days before the peel", "timing", "R27"),
        (TATTOO_AREA, "technique", "R34"),
        (
            "no peel within 7 days of waxing, threading, epilation or hair-removal cream in the "
            "area",
            "timing",
            "R38",
        ),
    ),
    *_rows(
        (M,),
        ("wait until at least 1 month after the last isotretinoin dose", "timing", "R07"),
        ("standard microdermabrasion only; no dermabrasion", "prohibition", "R07"),
        ("not on sunburnt or peeling skin", "prohibition", "R09"),
        (GENTLE, "technique", "R09, R14, R16"),
        (SUN_2_WEEKS, "timing", "R10, R44"),
        ("hold the retinoid about 3 days before and after", "timing", "R27"),
        ("short suction dwell time", "technique", "R28"),
        (TATTOO_AREA, "technique", "R34"),
        (
            "no microdermabrasion within 7 days of waxing, threading, epilation or hair-removal "
            "cream in the area",
            "timing",
            "R38",
        ),
    ),
    *_rows(
        ALL,
        ("individual assessment of wound healing first", "check", "R15"),
        ("no procedure until the prescriber has been contacted", "check", "R30"),
        ("refer for medical acne treatment first", "check", "R33"),
        (
            "schedule at least 2 weeks after filler, skin booster or botulinum toxin",
            "timing",
            "R35",
        ),
        ("check healing and the surgeon's advice first", "check", "R36"),
        (
            "at least 4 weeks after the last resurfacing procedure in the area, unless the "
            "practitioner confirms full recovery",
            "timing",
            "R37",
        ),
        ("assess the irradiated skin first", "check", "R39"),
        ("check that the vitiligo is stable first", "check", "R40"),
        ("assess the photosensitive disorder first", "check", "R41"),
        ("find out which procedure caused the pigmentation first", "check", "R42"),
        ("stop the cream and examine for steroid damage or ochronosis first", "check", "R43"),
    ),
    *_rows(
        (L, P),
        ("strict sun protection for 4 weeks after each session, or postpone", "timing", "R44"),
    ),
    CatalogueEntry(ALL, ASK_FIRST_PREFIX, "check", "R45", pattern=True),
)


def catalogue_position(treatment: str, constraint: str) -> int:
    """The constraint's row in the catalogue for this treatment; ValueError if it has none."""
    for position, entry in enumerate(CONSTRAINT_CATALOGUE):
        if entry.matches(treatment, constraint):
            return position
    raise ValueError(f"constraint not in the catalogue for {treatment}: {constraint!r}")


# How eligible treatments are ordered and the primary chosen (clinical-rules.md 4.4).
RANKING: tuple[str, ...] = (
    "A contraindication wins over every other effect on a treatment: it is listed under "
    "excluded with the reasons of the rules that contraindicate it, never suggested.",
    "Each other treatment gets a tier: 3 if any applied effect on it is DEFER or NFL-S (not "
    "first-line for safety); else 2 if any is NO-LEAD; else 1 if any is NFL-E (not first-line "
    "for efficacy); else 0 (first-line).",
    "prefers = the number of distinct rules with an applied PREFER on it; caution weight = the "
    "number of distinct rules with an applied CAUTION, NFL-S or DEFER on it (each rule weighs "
    "exactly 1; NOTE, PREFER, ELIGIBLE, NFL-E and NO-LEAD weigh 0); downtime = "
    "microdermabrasion 0, chemical peel 1, laser 2.",
    "Suggestions are sorted by (tier, -prefers, caution weight, downtime) and ranked 1 to n. "
    "A suggestion's status is `caution` when its caution weight is at least 1, else `suitable`.",
    "R29: the primary is `defer_to_practitioner` when a rule deferred, when no treatment is "
    "eligible, or when the first suggestion has tier 3 or tier 2; otherwise it is the first "
    "suggestion. The defer_reason names each deferring rule in table order; R29's own text is "
    "used only when no rule deferred. An option limited only by efficacy (tier 1) may lead.",
)


def ruleset_fingerprint() -> str:
    """sha256 of a canonical serialisation of the rule table and the ranking policy."""
    table = {
        "rules": [rule.canonical() for rule in RULES],
        "catalogue": [
            [list(e.treatments), e.text, e.kind, e.rules, e.pattern] for e in CONSTRAINT_CATALOGUE
        ],
        "agents": list(PEEL_AGENTS),
        "ranking": list(RANKING),
        "downtime": list(DOWNTIME_ORDER),
        "tiers": TIER_OF_KIND,
        "weighted": sorted(WEIGHTED_KINDS),
    }
    encoded = json.dumps(table, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()
