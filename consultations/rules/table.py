"""The rule table, row for row as clinical-rules.md section 4 (with the section 3 matrix).

Read each `Rule(...)` next to its row in section 4. Where section 4 is silent about a treatment
and the section 3 matrix gives an effect, the matrix effect is used (noted in the rule's comment).

Effects on a treatment:
  contraindicate  never suggested; listed in `excluded` with the rule's reason
  defer           not auto-suggested; the practitioner decides (a caution, limited for safety)
  caution         eligible, status `caution`, the rule's flag and constraints attached
  prefer          eligible and ranked up (evidence for the goal)
  eligible        eligible; no safety concern
  not first-line  may be listed but not first; "safety" for a caution, "efficacy" for eligible

Goals: safety conditions look at every goal the patient listed (R08 acne scars, R09
pigmentation), because a secondary goal can still lead to that treatment. Preference rules
(R17-R25) look at the primary goal only, as the section 4 ranking hint ranks by evidence for the
primary goal; R24 "goal texture only" means texture is the one goal listed.

Rule-level outcomes: `stop` rules always defer (their flag has severity `stop`); `defer_if` rules
defer only when that second condition also holds (their flag is then raised as `stop`).

Flag severities: `stop` = the rules make no automatic suggestion (R01 active infection, R02
suspicious lesion, R03 dermatitis in the area, R15 impaired healing; R08 and R09 when they
defer). `caution` = every other flag: each rule that raises one restricts or cautions at least one
treatment, so the practitioner must read it before agreeing. That includes R05 pregnancy, where
section 4 says `defer` is only "acceptable" (laser is excluded and peels are restricted instead),
R06 breastfeeding (the table cautions all three treatments) and R04 gold therapy (laser is
excluded, but the harm is permanent, so an override must not be missed). `info` is kept in the
vocabulary for notes that change nothing; no rule raises one in this version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from .answers import Answers
from .conditions import (
    AgeAtLeast,
    AllOf,
    Answered,
    AnyGoal,
    AnyOf,
    Condition,
    Fitzpatrick,
    Not,
    OnlyGoal,
    PrimaryGoal,
    Sebum,
)
from .vocabulary import CAUTION, CHEMICAL_PEEL, LASER, MICRODERMABRASION, STOP, TREATMENTS

L, P, M = LASER, CHEMICAL_PEEL, MICRODERMABRASION

CONTRAINDICATE = "contraindicate"
DEFER_KIND = "defer"
CAUTION_KIND = "caution"
PREFER = "prefer"
ELIGIBLE = "eligible"

SAFETY = "safety"
EFFICACY = "efficacy"


@dataclass(frozen=True)
class Effect:
    """What one rule does to one treatment."""

    kind: str
    constraints: tuple[str, ...] = ()
    not_first_line: bool = False
    only_if: Condition | None = None

    @property
    def limit(self) -> str | None:
        """Why the treatment may not come first: "safety", "efficacy" or None."""
        if self.kind == DEFER_KIND or (self.kind == CAUTION_KIND and self.not_first_line):
            return SAFETY
        if self.not_first_line:
            return EFFICACY
        return None

    @property
    def is_caution(self) -> bool:
        return self.kind in (CAUTION_KIND, DEFER_KIND)

    @property
    def text(self) -> str:
        words = {
            CONTRAINDICATE: "contraindicated",
            DEFER_KIND: "defer to practitioner",
            CAUTION_KIND: "caution",
            PREFER: "prefer",
            ELIGIBLE: "eligible",
        }[self.kind]
        if self.kind != DEFER_KIND and self.limit:
            words += f", not first-line for {self.limit}"
        if self.constraints:
            words += " (" + "; ".join(self.constraints) + ")"
        if self.only_if is not None:
            words = f"if {self.only_if.text}: {words}"
        return words

    def applies(self, answers: Answers) -> bool:
        return self.only_if is None or self.only_if.holds(answers)


def contraindicate() -> Effect:
    return Effect(CONTRAINDICATE)


def defer(*constraints: str) -> Effect:
    return Effect(DEFER_KIND, constraints)


def caution(
    *constraints: str, not_first_line: bool = False, only_if: Condition | None = None
) -> Effect:
    return Effect(CAUTION_KIND, constraints, not_first_line=not_first_line, only_if=only_if)


def prefer(*constraints: str, only_if: Condition | None = None) -> Effect:
    return Effect(PREFER, constraints, only_if=only_if)


def eligible(*constraints: str, not_first_line: bool = False) -> Effect:
    return Effect(ELIGIBLE, constraints, not_first_line=not_first_line)


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
        return {t: " + ".join(e.text for e in self.actions.get(t, ())) for t in TREATMENTS}

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
            "actions": {
                t: [
                    [e.kind, list(e.constraints), e.not_first_line, repr(e.only_if)]
                    for e in effects
                ]
                for t, effects in self.actions.items()
            },
            "reason": self.reason,
            "sources": list(self.sources),
            "flag": [self.flag, self.severity],
            "defer": [self.stop, repr(self.defer_if), self.defer_reason],
        }


@dataclass(frozen=True, eq=False)
class FinalRule:
    """R29: applied after every other rule, on the outcome rather than on the answers."""

    id: str
    condition: str
    reason: str
    sources: tuple[str, ...] = ()
    flag: str | None = None
    severity: str | None = None
    actions: Mapping[str, tuple[Effect, ...]] = field(default_factory=dict)

    @property
    def effects(self) -> dict[str, str]:
        return dict.fromkeys(TREATMENTS, "")

    def canonical(self) -> dict[str, object]:
        return {
            "id": self.id,
            "condition": self.condition,
            "reason": self.reason,
            "sources": list(self.sources),
        }


# Salicylic acid is avoided in pregnancy (R05) and with a salicylate allergy (R12).
SA_EXCLUDED = AnyOf((Answered("pregnant"), Answered("salicylate_allergy")))
SA_ALLOWED = Not(SA_EXCLUDED)
PORE_GOALS = ("pore_size", "oiliness")


RULES: tuple[Rule | FinalRule, ...] = (
    Rule(
        id="R01",
        when=Answered("active_infection_or_cold_sore"),
        actions={L: (contraindicate(),), P: (contraindicate(),), M: (contraindicate(),)},
        flag="ACTIVE_INFECTION",
        severity=STOP,
        stop=True,
        defer_reason="active infection or cold sore in the area; treat and re-assess when healed.",
        reason=(
            "Active infection, cold sore or open wound in the area: treating it risks spreading "
            "the infection (including herpes) over wounded skin."
        ),
        sources=("S36", "S57", "S63"),
    ),
    Rule(
        id="R02",
        when=Answered("suspicious_lesion"),
        actions={L: (contraindicate(),), P: (contraindicate(),), M: (contraindicate(),)},
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
        actions={
            L: (defer("assess the dermatitis first"),),
            P: (contraindicate(),),
            M: (contraindicate(),),
        },
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
        actions={L: (contraindicate(),)},
        flag="GOLD_THERAPY",
        severity=CAUTION,
        reason=(
            "Systemic gold therapy, even decades ago: Q-switched and picosecond lasers can cause "
            "permanent blue-grey skin discolouration (chrysiasis)."
        ),
        sources=("S34",),
    ),
    Rule(
        id="R05",
        when=Answered("pregnant"),
        actions={
            L: (contraindicate(),),
            P: (caution("glycolic or lactic acid only", "no salicylic acid", "no TCA"),),
            M: (caution(),),
        },
        flag="PREGNANCY",
        severity=CAUTION,
        reason=(
            "Pregnant or trying to conceive: there are no controlled safety data, so elective "
            "laser waits and peels are limited to glycolic or lactic acid."
        ),
        sources=("S52", "S53", "S54"),
    ),
    Rule(
        id="R06",
        when=Answered("breastfeeding"),
        actions={L: (caution(),), P: (caution(),), M: (caution(),)},
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
            L: (caution("non-ablative or fractional laser only", "no fully ablative laser"),),
            P: (caution("superficial peel only"),),
            M: (caution("no mechanical dermabrasion"),),
        },
        flag="ISOTRETINOIN_RECENT",
        severity=CAUTION,
        reason=(
            "Oral isotretinoin in the last 6 months: consensus allows superficial peels, "
            "non-ablative or fractional laser and microdermabrasion, but the label still says "
            "6 months, so the practitioner confirms."
        ),
        sources=("S50", "S51"),
    ),
    Rule(
        id="R08",
        when=Answered("keloid_history"),
        actions={
            L: (caution("no ablative resurfacing", not_first_line=True),),
            P: (caution("superficial peel only"),),
            M: (caution(),),
        },
        flag="KELOID_HISTORY",
        severity=CAUTION,
        defer_if=AnyGoal(("acne_scars",)),
        defer_reason=(
            "keloid or raised-scar tendency with an acne-scar goal; scar resurfacing needs the "
            "practitioner's assessment."
        ),
        reason=(
            "Keloid or raised-scar tendency: keep to superficial peels or microdermabrasion and "
            "avoid ablative resurfacing (laser trials excluded keloid formers)."
        ),
        sources=("S36", "S22", "S46"),
    ),
    Rule(
        id="R09",
        when=Answered("recent_tan"),
        actions={
            L: (contraindicate(),),
            P: (caution("postpone until the tan has faded", not_first_line=True),),
            # Section 3 matrix: microdermabrasion CAUTION on tanned skin.
            M: (caution("gentle technique"),),
        },
        flag="RECENT_TAN",
        severity=CAUTION,
        defer_if=AnyOf((Fitzpatrick(4), AnyGoal(("tone_pigmentation",)))),
        defer_reason=(
            "recent tan on Fitzpatrick IV-VI skin or with a pigmentation goal; re-assess when "
            "the tan has faded."
        ),
        reason=(
            "Recent tan, sunburn, sunbed or self-tan: tanned skin behaves like a darker type, so "
            "laser waits until the tan fades and a peel is better postponed."
        ),
        sources=("S44", "S46", "S38"),
    ),
    Rule(
        id="R10",
        when=Answered("photosensitising_meds"),
        actions={
            L: (caution("review the photosensitising medicine first", not_first_line=True),),
            P: (contraindicate(),),
        },
        flag="PHOTOSENSITISING_MEDS",
        severity=CAUTION,
        reason=(
            "Photosensitising medicine: it contraindicates chemical peels, and laser trials "
            "excluded patients taking such medicines."
        ),
        sources=("S36", "S22"),
    ),
    Rule(
        id="R11",
        when=Answered("active_inflamed_acne"),
        actions={
            L: (caution("treat the acne first"),),
            P: (
                prefer("salicylic acid peel", only_if=SA_ALLOWED),
                prefer(
                    "glycolic or mandelic acid peel instead of salicylic acid", only_if=SA_EXCLUDED
                ),
            ),
            M: (contraindicate(),),
        },
        flag="ACTIVE_INFLAMED_ACNE",
        severity=CAUTION,
        reason=(
            "Active inflamed acne: a salicylic acid peel treats it, microdermabrasion may make it "
            "worse, and laser should wait until the acne is treated."
        ),
        sources=("S40", "S41", "S37", "S57", "S60"),
    ),
    Rule(
        id="R12",
        when=Answered("salicylate_allergy"),
        actions={
            P: (
                caution(
                    "no salicylic acid",
                    "no Jessner's solution",
                    "glycolic, mandelic or lactic acid instead",
                ),
            ),
        },
        flag="SALICYLATE_ALLERGY",
        severity=CAUTION,
        reason=(
            "Salicylate or aspirin allergy: salicylic acid peels and Jessner's solution (14% "
            "salicylic acid) are avoided."
        ),
        sources=("S45", "expert opinion"),
    ),
    Rule(
        id="R13",
        when=Answered("active_rosacea"),
        actions={
            # Section 4: "defer or laser"; section 3 matrix: laser CAUTION, peel CAUTION/DEFER.
            L: (caution(),),
            P: (caution(not_first_line=True),),
            M: (contraindicate(),),
        },
        flag="ACTIVE_ROSACEA",
        severity=CAUTION,
        reason=(
            "Active rosacea: microdermabrasion is relatively contraindicated and peels irritate "
            "it, so laser or the practitioner's judgement comes first."
        ),
        sources=("S57",),
    ),
    Rule(
        id="R14",
        when=Answered("melasma"),
        actions={
            L: (caution("no low-fluence laser toning", not_first_line=True),),
            P: (caution("superficial peel only", "prime the skin with topicals first"), prefer()),
            # Section 3 matrix: microdermabrasion CAUTION (little efficacy).
            M: (caution("gentle technique"),),
        },
        flag="MELASMA",
        severity=CAUTION,
        reason=(
            "Melasma: peels are second-line after topical treatment and lasers a last resort, "
            "since laser toning can leave mottled depigmentation."
        ),
        sources=("S43", "S49", "S33"),
    ),
    Rule(
        id="R15",
        when=Answered("immunosuppressed_or_poor_healing"),
        actions={
            L: (defer("individual assessment of wound healing first"),),
            P: (defer("individual assessment of wound healing first"),),
            M: (defer("individual assessment of wound healing first"),),
        },
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
        when=Fitzpatrick(4),
        actions={
            L: (caution("1064 nm, picosecond or low-density fractional", "test spot"),),
            P: (
                caution("superficial peel only"),
                caution("no TCA or Jessner's", only_if=Fitzpatrick(5)),
            ),
            # Section 3 matrix: microdermabrasion CAUTION (gentle).
            M: (caution("gentle technique"),),
        },
        flag="PIH_RISK",
        severity=CAUTION,
        reason=(
            "Fitzpatrick IV-VI: the risk of post-inflammatory hyperpigmentation rises with "
            "pigment, so peels stay superficial and laser settings are chosen for dark skin."
        ),
        sources=("S30", "S31", "S38", "S41", "S46"),
    ),
    Rule(
        id="R17",
        when=AllOf((Fitzpatrick(5), PrimaryGoal(("pore_size", "oiliness", "tone_pigmentation")))),
        actions={
            L: (caution(not_first_line=True),),
            P: (
                prefer("salicylic acid peel", only_if=SA_ALLOWED),
                prefer(
                    "mandelic or lactic acid peel instead of salicylic acid, not glycolic "
                    "(PIH risk in V-VI)",
                    only_if=SA_EXCLUDED,
                ),
            ),
        },
        reason=(
            "Fitzpatrick V-VI with a pore, oiliness or pigmentation goal: superficial salicylic "
            "acid peels are safe and effective in dark skin, while laser carries more pigment risk."
        ),
        sources=("S37", "S39"),
    ),
    Rule(
        id="R18",
        when=Fitzpatrick(6),
        actions={L: (caution(not_first_line=True),)},
        reason=(
            "Fitzpatrick VI: side effects are five times more likely even with superficial peels "
            "and laser data are sparse, so laser is not first-line."
        ),
        sources=("S38", "S31"),
    ),
    Rule(
        id="R19",
        when=AllOf((Sebum(("oily", "very_oily")), PrimaryGoal(PORE_GOALS))),
        actions={
            P: (
                prefer("salicylic acid peel", only_if=SA_ALLOWED),
                prefer("glycolic acid peel instead of salicylic acid", only_if=SA_EXCLUDED),
            ),
        },
        reason=(
            "Oily skin with enlarged pores: a superficial salicylic acid peel targets sebum "
            "(glycolic acid when salicylic acid is excluded)."
        ),
        sources=("S12", "S13", "S15", "S39"),
    ),
    Rule(
        id="R19a",
        when=PrimaryGoal(PORE_GOALS),
        actions={L: (prefer(),), P: (prefer(),), M: (eligible(not_first_line=True),)},
        reason=(
            "Pores or oiliness as the main goal: laser and chemical peels are first-line, "
            "microdermabrasion has the weakest pore evidence."
        ),
        sources=("S55", "S58", "S16"),
    ),
    Rule(
        id="R20",
        when=Sebum(("dry",)),
        actions={
            L: (eligible(),),
            P: (
                caution(
                    "no drying salicylic acid series", "lactic, mandelic or glycolic acid peel"
                ),
            ),
        },
        reason=(
            "Dry skin: salicylic acid peels dry about a third of patients, so a lactic, mandelic "
            "or glycolic acid peel is used; laser is unaffected."
        ),
        sources=("S37", "S40"),
    ),
    Rule(
        id="R21",
        when=PrimaryGoal(("acne_scars",)),
        actions={
            L: (prefer("fractional or picosecond laser"),),
            P: (eligible("superficial peel only"),),
            M: (eligible(not_first_line=True),),
        },
        reason=(
            "Acne scars as the main goal: fractional and picosecond lasers have scar evidence, "
            "superficial peels help shallow scars, and microdermabrasion is too superficial."
        ),
        sources=("S21", "S22", "S23", "S31", "S56"),
    ),
    Rule(
        id="R22",
        when=PrimaryGoal(("fine_lines",)),
        actions={L: (prefer(),), P: (eligible(),), M: (eligible(not_first_line=True),)},
        reason=(
            "Fine lines as the main goal: picosecond laser has wrinkle evidence, peels help fine "
            "wrinkling, and microdermabrasion did not improve wrinkles."
        ),
        sources=("S24", "S56"),
    ),
    Rule(
        id="R23",
        when=AllOf((PrimaryGoal(("pore_size",)), AgeAtLeast(45))),
        actions={L: (prefer(),)},
        reason=(
            "Pores as the main goal at 45 or over: pores widened by lost elasticity respond to "
            "laser collagen remodelling."
        ),
        sources=("S13", "S14", "S25"),
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
            L: (prefer("picosecond laser", only_if=Fitzpatrick(1, 4)),),
            P: (prefer(),),
            M: (eligible(not_first_line=True),),
        },
        reason=(
            "Tone or pigmentation as the main goal: peels work in all skin types and picosecond "
            "laser in types I-IV, while microdermabrasion does little for pigment."
        ),
        sources=("S19", "S55", "S37"),
    ),
    Rule(
        id="R26",
        when=Answered("hsv_history"),
        actions={
            L: (caution("antiviral prophylaxis per practitioner"),),
            P: (caution("antiviral prophylaxis for medium-depth peels"),),
            M: (caution(),),
        },
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
            P: (caution("hold the retinoid 3-7 days before the peel"),),
            M: (caution("hold the retinoid about 3 days before and after"),),
        },
        flag="RECENT_RETINOID",
        severity=CAUTION,
        reason=(
            "Topical retinoid in the last 7 days: it makes peel penetration uneven and abrasion "
            "more irritating, so it is held first."
        ),
        sources=("S62", "low quality"),
    ),
    Rule(
        id="R28",
        when=Answered("anticoagulant_or_bleeding_disorder"),
        actions={
            L: (caution(),),
            M: (caution("short suction dwell time", not_first_line=True),),
        },
        flag="BLEEDING_RISK",
        severity=CAUTION,
        reason=(
            "Blood thinners or a bleeding disorder: microdermabrasion suction can cause purpura "
            "and picosecond laser petechiae."
        ),
        sources=("S57", "S23"),
    ),
    FinalRule(
        id="R29",
        condition=(
            "after R01-R28: no treatment eligible; or a rule deferred (R01-R03, R08 with an "
            "acne-scar goal, R09 with Fitzpatrick IV-VI or a pigmentation goal, R15); or only "
            "options not first-line for safety remain"
        ),
        reason=(
            "The rules make no automatic suggestion; the practitioner decides from the "
            "remaining options, flags and reasons."
        ),
    ),
)

# How eligible treatments are ordered and the primary chosen (section 4 "ranking hint").
DOWNTIME_ORDER: tuple[str, ...] = (MICRODERMABRASION, CHEMICAL_PEEL, LASER)
RANKING: tuple[str, ...] = (
    "Contraindicated treatments are listed under excluded with their reasons, never suggested.",
    "Eligible treatments are ordered by: (1) first-line, then not first-line for efficacy, then "
    "not first-line for safety; (2) more `prefer` rules (R11, R14, R17, R19, R19a, "
    "R21-R23, R25: evidence for the main goal) first; (3) fewer rules with a caution first; "
    "(4) lower typical downtime first: microdermabrasion, chemical peel, laser.",
    "A suggestion's status is `caution` when any rule put a caution on it (including defer and "
    "not first-line for safety), otherwise `suitable`; each rule adds its reason once.",
    "The primary is the first suggestion, unless R29 applies: a rule deferred, nothing is "
    "eligible, or the best remaining option is not first-line for safety (for example a peel on "
    "tanned skin); an option limited only by efficacy (for example microdermabrasion for pores) "
    "may still lead. R29 makes the primary defer_to_practitioner with a defer_reason naming the "
    "rules, and suggestions still list the options the practitioner could consider.",
)


def ruleset_fingerprint() -> str:
    """sha256 of a canonical serialisation of the rule table and the ranking policy."""
    table = {
        "rules": [rule.canonical() for rule in RULES],
        "ranking": list(RANKING),
        "downtime": list(DOWNTIME_ORDER),
    }
    encoded = json.dumps(table, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()
