"""Hypothesis settings for the bad-input properties: modest, deterministic, database-free.

``derandomize`` makes every run (a developer's, CI's) try the same examples, so a failure
here is reproducible from the test's name alone; no example database is written either.
``FUZZ_PROFILE=fuzz-debug`` skips shrinking, to see a failure of a stateful property (one
app serves all its examples) as it first happened.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

settings.register_profile(
    "fuzz",
    max_examples=150,
    deadline=None,  # the route properties time an HTTP round trip, not the code under test
    derandomize=True,
    database=None,
    print_blob=False,
    # One app serves every example of a property: starting one per example would be slow.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
settings.register_profile(
    "fuzz-debug", parent=settings.get_profile("fuzz"), phases=[Phase.explicit, Phase.generate]
)
settings.load_profile(os.environ.get("FUZZ_PROFILE", "fuzz"))
