"""``python -m baokao``: the command line for offices (see :mod:`baokao.cli`)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
