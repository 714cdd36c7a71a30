"""The app's four panes: Launch, Runs (and monitor), Checkpoints, Generate."""
