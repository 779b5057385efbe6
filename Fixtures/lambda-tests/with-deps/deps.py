"""A handler whose dependency comes from requirements.txt, not from its folder."""

import sys

import tomli


def handler(event, context):
    return {
        "parsed": tomli.loads(event.get("toml", "answer = 42")),
        "module": tomli.__file__,
        "path": sys.path[:4],
    }
