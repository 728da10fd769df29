"""The check families: one package per family, each exposing ``plan(contract) -> list[Check]``.

``registry`` is the one place a family is declared (built-ins and ``harness.families`` entry
points); ``base`` says what a check is. Families never import each other: what two families
share lives in a mechanism package below them (``harness.ratelimit``, ``harness.mapping``…).

Import what you need from ``harness.checks.registry`` and ``harness.checks.base``; this
package imports nothing, so that pytest can list the families without importing them.
"""
