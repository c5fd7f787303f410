"""`python -m lrx.adapt`: the `lrx` command line."""

import sys

from lrx.adapt.cli.main import main

sys.exit(main())
