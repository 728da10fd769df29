"""The corpus is data for tests/unit/test_corpus.py: its contracts are not test files.

The harness plugin collects every ``integration.yaml``; these are broken on purpose.
"""

collect_ignore = ["broken", "valid", "shared"]
