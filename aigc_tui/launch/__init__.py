"""Starting workers as detached processes, after the launch-time checks; imports no torch."""

from aigc_tui.launch.spawn import spawn_worker
from aigc_tui.launch.start import check_resume, new_run, restart_note, resume_worker, run_config

__all__ = ["check_resume", "new_run", "restart_note", "resume_worker", "run_config", "spawn_worker"]
