"""Git folders per environment: a workspace folder that is a git clone at a branch or tag, kept
there by deploy and moved by promote through the Repos API."""
