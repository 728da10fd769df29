"""Mutation score: a mutating HTTP proxy in front of the local sandbox, and named vendor faults.

Each mutant (``catalogue.MUTANTS``) rewrites what goes over the wire between harness and the
sandbox (requests, responses, webhook deliveries). A check family that can see the fault must
fail; the unmutated proxy (``BASELINE``) must pass. ``bench/mutants.py`` prints the score;
``tests/integration/test_mutants.py`` runs a fast subset.
"""
