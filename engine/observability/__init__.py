"""What an operator watches: metric instruments, the id of the request or sweep at work, log lines.

The lowest layer beside ``errors``: every other layer may count and log through it, and it imports
nothing of servflow, so no layer pulls another in by counting.
"""
