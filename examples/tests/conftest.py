import sys
from pathlib import Path

# The package is tested from source, as CI runs it before building the wheel.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
