from factory_tui.cli import main

raise SystemExit(main())
