"""`brickyard init`: new projects from templates shipped in this package (see `templates/`)."""
