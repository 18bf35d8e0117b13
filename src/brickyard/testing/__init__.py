"""`brickyard test` and the pytest plugin projects use: test layers, Spark and workspace fixtures."""

LAYER_OPTION = "--brickyard-layer"
"""The plugin option that runs one layer; `brickyard test` passes it to pytest."""
TARGET_ENV = "BRICKYARD_TEST_TARGET"
"""The target the `workspace` fixture opens; `brickyard test -t` sets it."""
