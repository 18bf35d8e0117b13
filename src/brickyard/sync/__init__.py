"""`brickyard sync`: a folder of notebooks to a workspace folder and back, never losing an edit."""
