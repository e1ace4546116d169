"""Views, one module per area: public pages, patient intake, practitioner review."""
