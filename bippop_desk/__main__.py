"""`python -m bippop_desk` behaves exactly like the `bippop-desk` console script."""

from bippop_desk.cli import main

raise SystemExit(main())
