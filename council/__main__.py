from council.main import main

raise SystemExit(main())
