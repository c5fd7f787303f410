"""`lrx`: every subcommand, each a thin module over the library functions (`main.py` builds the parser)."""
