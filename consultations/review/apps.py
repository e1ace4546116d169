from django.apps import AppConfig


class ReviewConfig(AppConfig):
    """The practitioner's pages: the queue, a consultation's detail, corrections, decisions."""

    name = "consultations.review"
    label = "review"
    verbose_name = "Practitioner review"
