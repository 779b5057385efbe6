"""Builds pure-Python wheels from fixture sources with the standard library alone, so that tests which
install Lambda dependencies (requirements.txt) run offline against a local wheelhouse.

A wheel is a zip archive with the modules at its root and a `{name}-{version}.dist-info` folder holding
METADATA, WHEEL and RECORD (PEP 427); pip installs it like any wheel from PyPI.
"""

import base64
import hashlib
import re
import zipfile
from pathlib import Path


def _record_hash(data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def build_wheel(source_dir, out_dir):
    """Build `{name}-{version}-py3-none-any.whl` from a folder of modules with a `__version__` line.

    The distribution name is the folder's name. Returns the wheel's path.
    """
    source_dir, out_dir = Path(source_dir), Path(out_dir)
    name = source_dir.name
    modules = sorted(source_dir.glob("*.py"))
    version = None
    for module in modules:
        match = re.search(r'^__version__ = "([^"]+)"', module.read_text(), re.MULTILINE)
        if match:
            version = match.group(1)
    if version is None:
        raise ValueError(f"{source_dir}: no module declares __version__")
    dist_info = f"{name}-{version}.dist-info"
    files = {module.name: module.read_bytes() for module in modules}
    files[f"{dist_info}/METADATA"] = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode()
    files[f"{dist_info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: synapscribe-e2e\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    record = "".join(f"{path},{_record_hash(data)},{len(data)}\n" for path, data in files.items())
    record += f"{dist_info}/RECORD,,\n"
    files[f"{dist_info}/RECORD"] = record.encode()
    out_dir.mkdir(parents=True, exist_ok=True)
    wheel = out_dir / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return wheel


def build_wheelhouse(packages_dir, out_dir):
    """Build a wheel for every package folder under `packages_dir` into `out_dir`; returns `out_dir`."""
    for source in sorted(Path(packages_dir).iterdir()):
        if source.is_dir():
            build_wheel(source, out_dir)
    return Path(out_dir)
