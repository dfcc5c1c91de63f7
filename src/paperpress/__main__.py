import sys

from .handoff import run_via_worker

# A build's steps run in its warm worker when there is one (see worker.py).
status = run_via_worker(sys.argv[1:])
if status is None:
    from .cli import main

    status = main()
sys.exit(status)
