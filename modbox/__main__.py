from modbox.cli import main

raise SystemExit(main())
