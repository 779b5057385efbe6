"""A tiny TOML-subset parser, packaged as a wheel by the e2e suite (Tests/e2e/wheels.py) at test time.

It stands in for a PyPI dependency of the `with-deps` fixture function, so that the requirements.txt install
runs offline against a local wheelhouse (`PIP_NO_INDEX`, `PIP_FIND_LINKS`) exactly as pip installs from PyPI.
"""

__version__ = "1.0.0"


def loads(text):
    """Parse `key = value` lines where value is an integer or a double-quoted string."""
    result = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if value.startswith('"') and value.endswith('"') and len(value) >= 2:
            result[key] = value[1:-1]
        else:
            result[key] = int(value)
    return result
