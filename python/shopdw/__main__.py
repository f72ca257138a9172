from shopdw.cli import main

raise SystemExit(main())
