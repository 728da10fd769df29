"""Family ``workflows``: each Arazzo workflow of the guide, run on generated inputs."""

from harness.checks.workflows.workflow import plan

__all__ = ["plan"]
