"""Pact: our expectations of a vendor as a Pact V4 file, and pacts verified against a target.

``export.export_pact`` writes the pact of a contract with pact-python's own consumer API;
``verify.verify_pacts`` replays pact files against a base URL with pact-python's ``Verifier``,
one result per interaction. ``states`` is the provider-state vocabulary both use (the local
sandbox serves it at ``STATE_PATH``).

Import from the submodules: this package imports nothing, because importing pact-python
installs an import hook that slows every later import, and the sandbox needs only ``states``.
"""
