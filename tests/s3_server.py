"""A real S3 API server (moto's) on loopback, in a process of its own, for the tests.

`python tests/s3_server.py` binds a free port on 127.0.0.1 (the system picks it: no race
with other runs), prints that port on a line of its own and serves until its standard
input is closed, which happens whenever the test run ends, even when it is killed.
moto comes from requirements-test.txt (`make test` installs it).
"""

import logging
import sys

from moto.server import ThreadedMotoServer


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    print(server.get_host_and_port()[1], flush=True)
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    main()
