"""Entry script for the frozen build: the same ``main`` as the ``ixdesk`` console script."""

import sys

from ixdesk.cli import main

if __name__ == "__main__":
    sys.exit(main())
