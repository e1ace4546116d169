"""The project's URLs plus a stand-in for the patient's check-in page (`intake:check_in`,
built on another branch): the staff's tablet button is tested against its name."""

from django.http import HttpRequest, HttpResponse
from django.urls import URLResolver, include, path

from clinic.urls import urlpatterns as project
from consultations.intake import urls as intake


def check_in_stand_in(request: HttpRequest, token: str) -> HttpResponse:
    return HttpResponse("The patient's check-in")


urlpatterns = [
    path(
        "",
        include(
            (
                [
                    *intake.urlpatterns,
                    path("c/<token:token>/check-in/", check_in_stand_in, name="check_in"),
                ],
                "intake",
            )
        ),
    ),
    *(p for p in project if not (isinstance(p, URLResolver) and p.namespace == "intake")),
]
