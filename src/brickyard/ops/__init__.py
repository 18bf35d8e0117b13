"""Operating a workspace: reading what it measures about itself."""
