"""Package layout that pyproject.toml alone cannot say.

`site/` is a source root (the stdlib owns the name `site`), and templates/ and locales/ sit
outside the packages but must ship in a regular install too, so they are mapped to the
data-only packages `ashiato_templates` and `ashiato_locales` (see ashiato.assets).
"""

from setuptools import find_packages, setup

setup(
    packages=(
        find_packages("site", include=["ashiato", "ashiato.*"])
        + find_packages(".", include=["mailgate", "mailgate.*"])
        + ["ashiato_templates", "ashiato_locales"]
    ),
    package_dir={
        "ashiato": "site/ashiato",
        "ashiato_templates": "templates",
        "ashiato_locales": "locales",
    },
    package_data={
        "ashiato": ["static/*"],
        "ashiato_templates": ["**/*.html", "**/*.svg", "**/*.css", "**/*.js"],
        "ashiato_locales": ["*.pot", "**/*.po"],
    },
)
