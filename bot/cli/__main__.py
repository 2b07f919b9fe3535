"""`python -m bot.cli …` is `samarbeidsbot …`."""

import sys

from bot.cli.main import main

sys.exit(main())
