"""The corpus is data for tests/unit/test_corpus.py: its contracts are not test files.

The harness plugin collects every ``integration.yaml`` with a ``harness:`` key; these are
broken on purpose (or valid examples), not part of the suite.
"""

collect_ignore = ["broken", "valid", "shared"]
