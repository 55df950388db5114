"""The local web UI (`complaintctl ui`): pages and forms over the same core steps the commands
call, served on 127.0.0.1 to the person whose clone and git identity run it."""
