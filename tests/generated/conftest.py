"""Hypothesis profiles for the generated-input tests.

``ci`` (loaded by default): reproducible (derandomized, no example database), the example counts
each test sets, which keep this folder under two minutes on a 2-core machine, no shrinking.
``thorough``: random, ten times the examples, failures shrunk, for a longer look before a
release. Choose with ``HYPOTHESIS_PROFILE=thorough``.
"""

import os
import sys
from pathlib import Path

from hypothesis import HealthCheck, Phase, settings

sys.path.insert(0, str(Path(__file__).parent))  # fuzzgen, shared with tools/fuzz_inputs.py

_COMMON = dict(
    database=None,
    deadline=None,  # each run has its own hard time limit (fuzzgen.bounded), first runs pay for caches
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
# ci stops at the first failing input (printed as shell lines that rebuild it) without
# shrinking it: shrinking an input that hangs costs the time limit at every step
settings.register_profile("ci", derandomize=True, phases=[Phase.explicit, Phase.reuse, Phase.generate], **_COMMON)
settings.register_profile("thorough", derandomize=False, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
