import sys

from lrx.adapt.cli.main import main

sys.exit(main())
