"""Provided by the first layer only."""
VALUE = "from py-common"
