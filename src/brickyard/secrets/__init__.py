"""Secret values for a target's scopes: read from the target's backend, put into the workspace."""
