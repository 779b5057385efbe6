"""Provided by the second layer (a .zip): it wins over the first layer's greeting.py, as in /opt."""
WHO = "py-override"
