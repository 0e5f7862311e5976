# Runs a command on a pseudo-terminal, as a person at a keyboard would, and prints what the
# screen got. Used by the tests of mayus client's interactive mode.
#   python3 pty_drive.py KEYS_JSON [--stdout FILE] -- COMMAND ARGS...
# --stdout FILE: the command's standard output goes to FILE instead (a pipe's place: not a
# terminal), while its input and standard error stay on the terminal.
# KEYS_JSON is a JSON list of strings typed one after the other, with a pause after each
# ("\r" is Enter, "\u0004" Ctrl-D, "\u001b[A" the up arrow). Prints the transcript as JSON,
# then exits with the command's exit code.
import json, os, pty, select, sys, time

keys = json.loads(sys.argv[1])
separator = sys.argv.index("--")
command = sys.argv[separator + 1:]
options = sys.argv[2:separator]
stdout_file = options[options.index("--stdout") + 1] if "--stdout" in options else None
pid, fd = pty.fork()
if pid == 0:
    if stdout_file is not None:
        os.dup2(os.open(stdout_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), 1)
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
