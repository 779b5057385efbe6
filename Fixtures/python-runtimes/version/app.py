"""Reports the interpreter it runs on and what the runtime environment provides."""

import os
import sys

import awslambdaric
import boto3


def handler(event, context):
    return {
        "version_info": list(sys.version_info[:3]),
        "executable": sys.executable,
        "execution_env": os.environ.get("AWS_EXECUTION_ENV"),
        "boto3": boto3.__version__,
        "awslambdaric": os.path.dirname(awslambdaric.__file__),
    }
