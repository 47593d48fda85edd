"""``python -m beacon_org``: the same as the ``beacon-org`` command."""

import sys

from .cli import main

sys.exit(main())
