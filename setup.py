"""Packaging beyond pyproject.toml: the wheel carries the shipped recipes and themes.

`sample_configs/` and `themes/` stay at the top of the checkout, where the README and users
point; here they are mapped into the package as `aigc_tui/_shipped/...`, which is where
`aigc_tui.paths` looks first in an installed wheel. Everything else is in pyproject.toml.
"""

from setuptools import find_packages, setup

SHIPPED = {
    "aigc_tui._shipped.sample_configs": "sample_configs",
    "aigc_tui._shipped.themes": "themes",
}

setup(
    packages=find_packages(include=["aigc_tui", "aigc_tui.*"]) + list(SHIPPED),
    package_dir=SHIPPED,
)
