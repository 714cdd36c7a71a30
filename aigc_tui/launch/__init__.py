"""Starting workers as detached processes; imports no torch."""

from aigc_tui.launch.spawn import resume_worker, spawn_worker

__all__ = ["resume_worker", "spawn_worker"]
