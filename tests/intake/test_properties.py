"""Whatever a client posts to an intake page, the answer is a page, never a server error."""

from __future__ import annotations

import string

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consultations.fitzpatrick import ITEM_CODES
from consultations.models import HEALTH_FIELDS, Consultation
from tests.intake.steps import (
    ABOUT,
    CHECK,
    CONSENT,
    GOALS,
    GOALS_ANSWERS,
    HEALTH,
    HEALTH_ANSWERS,
    SKIN,
    SKIN_ANSWERS,
    START,
    SUBMIT,
    self_test,
)

pytestmark = pytest.mark.django_db

FIELDS = {
    START: [*ABOUT, "date_of_birth", "action"],
    SKIN: ["fitzpatrick_self_report", "self_test", "sebum", *(f"test_{c}" for c in ITEM_CODES)],
    GOALS: ["main_goal", "other_goals", "downtime_tolerance", "previous_treatments", "action"],
    HEALTH: [*HEALTH_FIELDS, "takes_other_medicines", "other_medicines", "has_allergies"],
    SUBMIT: ["consent", "declaration"],
}
KNOWN_VALUES = ["", "yes", "no", "on", "3", "0", "7", "-1", "oily", "pore_size", "save", "back"]

# Any text a browser (or a script) could send: control characters and NUL included; lone
# surrogates cannot be encoded in a request at all.
any_text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)
huge_text = st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=3), st.integers(1, 5000))
control_text = st.builds(
    lambda before, char, after: before + char + after,
    any_text,
    st.sampled_from(["\x00", "\x1b", "\x07", "\x7f", "\x0b", "\x85", "\r\n"]),
    any_text,
)
value = st.one_of(any_text, control_text, huge_text, st.sampled_from(KNOWN_VALUES))
field_value = st.one_of(value, st.lists(value, max_size=4))


VALID = {
    START: ABOUT,
    SKIN: {**SKIN_ANSWERS, **self_test(2)},
    GOALS: {**GOALS_ANSWERS, "previous_treatments": "A peel in 2023"},
    HEALTH: {
        **HEALTH_ANSWERS,
        "takes_other_medicines": "yes",
        "other_medicines": "Vitamin D",
        "has_allergies": "yes",
        "allergies": "Nuts",
    },
    SUBMIT: CONSENT,
}
# Where a patient types: each must refuse what it cannot store (NUL cannot go into PostgreSQL).
TEXT_FIELDS = {
    START: ["first_name", "last_name", "email", "phone"],
    SKIN: ["sebum"],
    GOALS: ["previous_treatments"],
    HEALTH: ["other_medicines", "allergies"],
    SUBMIT: ["consent"],
}


def form_data(url: str) -> st.SearchStrategy[dict[str, object]]:
    """Anything at all; or a valid answer with one field replaced, a typed one most often;
    or a valid answer with some fields missing."""
    unknown = st.text(alphabet=string.ascii_letters + "_-[]", min_size=1, max_size=12)
    names = st.one_of(st.sampled_from(FIELDS[url]), unknown)
    valid = VALID[url]
    anything = st.dictionaries(names, field_value, max_size=len(FIELDS[url]) + 3)
    one_replaced = st.builds(
        lambda name, new: {**valid, name: new}, st.sampled_from(FIELDS[url]), field_value
    )
    typed = st.builds(
        lambda name, new: {**valid, name: new},
        st.sampled_from(TEXT_FIELDS[url]),
        st.one_of(control_text, any_text, huge_text),
    )
    some_missing = st.builds(
        lambda dropped: {key: val for key, val in valid.items() if key not in dropped},
        st.sets(st.sampled_from(sorted(valid)), min_size=1),
    )
    return st.one_of(anything, one_replaced, typed, some_missing)


@pytest.mark.parametrize("url", [START, SKIN, GOALS, HEALTH, SUBMIT])
def test_no_post_to_an_intake_page_gives_a_server_error(url):
    client = Client(raise_request_exception=False)

    @settings(
        max_examples=50,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(posted=form_data(url))  # lists are sent as repeated fields, as from a browser
    def post_anything(posted: dict[str, object]) -> None:
        if "intake_consultation_id" not in client.session:  # "save for later" lets go of it
            assert client.post(START, {**ABOUT, "email": "someone@example.com"}).status_code == 302
        response = client.post(url, posted)
        assert response.status_code in (200, 302), (response.status_code, posted)
        # Whatever was stored must show again on the summary of answers.
        assert client.get(CHECK).status_code in (200, 302)

    post_anything()
    assert Consultation.objects.exists()
