"""`python -m monitor` runs the tgmon command line."""

from monitor.cli import main

main()
