"""The ruleset's version and the fingerprint of the rule table it names.

Any change to a rule (condition, effect, constraint, reason, source, flag or severity) or to the
ranking policy changes `ruleset_fingerprint()`. Then bump RULESET_VERSION and add the new
fingerprint below; tests/rules/test_version.py fails until both are done. Never edit a released
entry: stored evaluations name the version whose rules produced them.
"""

from __future__ import annotations

RULESET_VERSION = "2026.2"

RULESET_FINGERPRINTS: dict[str, str] = {
    "2026.1": "566b7b53d139a14583547b45fb3e3342428adb1383a77e4d3e3708b1607db990",
    "2026.2": "2c68a0fbb7ae67516ca96ff4ddef51b516583fe7ae525482c8b0cd7d3f6514ab",
}
