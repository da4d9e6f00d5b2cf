"""The one compiled part, the importer's byte walk (its header says why it is C); everything
else about the package is in pyproject.toml."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "sca_rates.ingest._walk",
            ["src/sca_rates/ingest/_walk.c"],
            extra_compile_args=["-O2"],
        )
    ]
)
