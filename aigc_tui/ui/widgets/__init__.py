"""Reusable widgets: loss plot, sample image, config form."""
