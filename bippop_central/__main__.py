"""`python -m bippop_central …` is the `bippop-central` command."""

from bippop_central.cli import main

raise SystemExit(main())
