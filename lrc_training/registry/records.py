"""Kept for registry/work.py, which imports person_in_scope from here until it moves beside the services
(services/access.py)."""

from .services.access import person_in_scope  # noqa: F401
