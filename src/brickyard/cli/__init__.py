"""The command line: one module per verb; `main` is the single error boundary."""
