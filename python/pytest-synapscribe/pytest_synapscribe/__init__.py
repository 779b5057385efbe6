"""pytest-synapscribe: fixtures for SynapScribe Local (the plugin is registered through the pytest11 entry point)."""

from .plugin import Clock, Emulator

__all__ = ["Clock", "Emulator"]
