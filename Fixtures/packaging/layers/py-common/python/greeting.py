"""Provided by the first layer (py-common); the second layer replaces it."""
WHO = "py-common"
