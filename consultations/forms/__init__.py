"""Forms: validation and cleaning only. One module per area."""
