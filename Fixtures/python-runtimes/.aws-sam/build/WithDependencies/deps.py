"""A handler whose dependency comes from requirements.txt, not from its folder."""

import sys

import tinytoml


def handler(event, context):
    return {
        "parsed": tinytoml.loads(event.get("toml", "answer = 42")),
        "module": tinytoml.__file__,
        "path": sys.path[:4],
    }
