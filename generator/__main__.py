"""``python -m oapigen`` works like the ``oapigen`` command."""

import sys

from .cli import main

sys.exit(main())
