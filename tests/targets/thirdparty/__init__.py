"""Contracts and helpers for third-party targets nobody here wrote (Prism mocks, vendor apps)."""
