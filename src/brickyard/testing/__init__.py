"""`brickyard test` and the pytest plugin projects use: test layers, Spark and workspace fixtures."""
