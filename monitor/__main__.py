"""`python -m monitor` runs the tgmon command line."""

from monitor.cli import main

if __name__ == "__main__":  # not when a worker process (spawn) re-imports the main module
    main()
