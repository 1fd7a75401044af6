"""The pages of the exams area (filled in by the next step)."""
