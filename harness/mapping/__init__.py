"""Field mappings between our entities and theirs: transforms and nested field paths.

``build_transform(spec)`` turns a contract field mapping's options into a ``Transform``
(``forward``: ours → theirs, ``backward``: theirs → ours, ``lossy``: whether the round trip is
exact); ``get_path`` / ``set_path`` read and write nested payloads (``items[].sku``).
"""

from harness.mapping.errors import TransformError, TransformSpecError
from harness.mapping.paths import MISSING, FieldPath, PathError, get_path, parse_path, set_path
from harness.mapping.transforms import FIELD_KEYS, TRANSFORM_NAMES, Transform, build_transform

__all__ = [
    "FIELD_KEYS",
    "MISSING",
    "TRANSFORM_NAMES",
    "FieldPath",
    "PathError",
    "Transform",
    "TransformError",
    "TransformSpecError",
    "build_transform",
    "get_path",
    "parse_path",
    "set_path",
]
