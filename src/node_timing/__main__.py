import sys

from node_timing.cli import main

sys.exit(main())
