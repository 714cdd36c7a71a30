from aigc_tui.cli import main

raise SystemExit(main())
