# Runs a command on a pseudo-terminal, as a person at a keyboard would, and prints what the
# screen got. Used by the tests of mayus client's interactive mode.
#   python3 pty_drive.py KEYS_JSON -- COMMAND ARGS...
# KEYS_JSON is a JSON list of strings typed one after the other, with a pause after each
# ("\r" is Enter, "\u0004" Ctrl-D, "\u001b[A" the up arrow). Prints the transcript as JSON,
# then exits with the command's exit code.
import json, os, pty, select, sys, time

keys = json.loads(sys.argv[1])
command = sys.argv[sys.argv.index("--") + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(command[0], command)

transcript = b""

def read_for(seconds):
    global transcript
    end = time.time() + seconds
    while time.time() < end:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                transcript += os.read(fd, 65536)
            except OSError:
                return

read_for(1.5)
for key in keys:
    os.write(fd, key.encode())
    read_for(0.6)
read_for(0.5)
_, status = os.waitpid(pid, 0)
print(json.dumps(transcript.decode("utf-8", "replace")))
sys.exit(os.waitstatus_to_exitcode(status))
