"""Claim ``no_secret_in_files``: no secret sits in the contract's files, cassettes or reports.

A secret is either the value of a variable the contract marks secret (``${ACME_CLIENT_SECRET}``)
or text shaped like a well-known credential (a private key, an AWS or Stripe key, a JWT…),
whatever variable it came from. Findings name the file, the line and the kind, never the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from harness.checks.base import Check, CheckRuntime, Verdict, inconclusive
from harness.contract import Contract
from harness.errors import CheckFailure

#: Tokens that look like credentials whatever variable they came from.
SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN (?:RSA |EC |OPENSSH |DSA )?PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "Stripe live key": re.compile(r"\b[sr]k_live_[0-9A-Za-z]{16,}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}\b"),
    "JSON Web Token": re.compile(r"\beyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{16,}"),
    "bearer token": re.compile(r"\bBearer\s+(?!\$|\[|<)[A-Za-z0-9._~+/=-]{24,}"),
}
TEXT_SUFFIXES = frozenset({".yaml", ".yml", ".json", ".md", ".txt", ".html", ".xml", ".csv"})
MAX_FILE_BYTES = 5_000_000
#: Shorter secret values are not searched for: they would match ordinary text.
MIN_SECRET_LENGTH = 6


def checks(contract: Contract) -> list[Check]:
    return [
        Check(
            family="security",
            name="no_secret_in_files",
            run=check_no_secret_in_files,
            description="no secret value or secret-looking token in contract files, cassettes "
            "or reports",
            loc=contract.security.loc if contract.security else contract.loc,
        )
    ]


def scanned_files(contract: Contract, report_dir: Path) -> Iterator[Path]:
    """Text files of the contract folder, its cassettes and its reports."""
    roots = [
        contract.directory,
        Path("cassettes") / contract.id,
        report_dir / contract.id,
    ]
    seen: set[Path] = set()
    for root in roots:
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            resolved = path.resolve()
            if resolved in seen or not path.is_file() or path.name.startswith("."):
                continue
            seen.add(resolved)
            if path.suffix.lower() in TEXT_SUFFIXES and path.stat().st_size <= MAX_FILE_BYTES:
                yield path


def find_secrets(text: str, secrets: Iterable[str]) -> list[str]:
    """What kinds of secret ``text`` holds (never the values themselves)."""
    found = [
        "the value of a secret variable"
        for secret in secrets
        if len(secret) >= MIN_SECRET_LENGTH and secret in text
    ][:1]
    found += [kind for kind, pattern in SECRET_PATTERNS.items() if pattern.search(text)]
    return found


def check_no_secret_in_files(context: CheckRuntime) -> Verdict:
    secrets = context.secrets()
    problems = []
    files = list(scanned_files(context.contract, Path(context.settings.report_dir)))
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        problems += [
            f"{path}:{number}: {kind}"
            for number, line in enumerate(text.splitlines(), start=1)
            for kind in find_secrets(line, secrets)
        ]
    if problems:
        raise CheckFailure(
            f"{len(problems)} secret(s) found in files of {context.contract.id}:\n  "
            + "\n  ".join(problems[:20])
            + "\nFix: replace the value with ${VAR} in the contract, re-record cassettes with "
            "the scrubber on, delete the affected reports and rotate the leaked credential.",
            data={"files_scanned": len(files), "findings": problems[:50]},
        )
    if not files:
        return inconclusive(
            f"no text file to scan under {context.contract.directory}, cassettes/ or the reports"
        )
    return Verdict(message=f"{len(files)} files scanned", data={"files_scanned": len(files)})
