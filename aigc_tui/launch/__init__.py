"""Starting workers as detached processes; imports no torch."""

from aigc_tui.launch.spawn import spawn_worker

__all__ = ["spawn_worker"]
