import sys

from lrx.adapt.cli import main

sys.exit(main())
