"""The longest time between a peer's sends, for the drain tests' peers (slow_opener.py,
steady_sender.py): a loaded machine that did not run the peer for the drain's quiet time made
it quiet for real, and a server may then close it. The tests read it to tell that apart from a
server that closed a peer that kept sending."""

import time


class SendGaps:
    """`timed(action)` runs a send (bytes, or the end of the stream) and keeps in `outcome`
    under "longest_gap_ms" an upper bound of the longest time between two sends: from when the
    previous send began to when this one is over."""

    def __init__(self, outcome: dict) -> None:
        self.outcome = outcome
        self.outcome["longest_gap_ms"] = 0.0
        self.previous_send_began = None

    def timed(self, action) -> None:
        began = time.monotonic()
        try:
            action()
        finally:  # a send that fails (the server closed) counts too: it says when we came back
            if self.previous_send_began is not None:
                gap_ms = (time.monotonic() - self.previous_send_began) * 1000
                self.outcome["longest_gap_ms"] = round(max(self.outcome["longest_gap_ms"], gap_ms), 1)
            self.previous_send_began = began
