"""Imports what its layers provide."""
import shutil
import subprocess

import greeting
import only_first


def handler(event, context):
    tool = shutil.which("layer-tool")
    output = subprocess.run([tool], capture_output=True, text=True).stdout.strip() if tool else None
    return {"greeting": greeting.WHO, "onlyFirst": only_first.VALUE, "tool": output}
