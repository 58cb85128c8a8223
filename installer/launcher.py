"""Entry point of the frozen app (PyInstaller): the same as the `bippop-desk` command;
with no command, the desktop app opens."""

from bippop_desk.cli import main

raise SystemExit(main())
