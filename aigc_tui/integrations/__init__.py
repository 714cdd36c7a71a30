"""Hooks into other training libraries; each module imports its library, nothing here does."""
