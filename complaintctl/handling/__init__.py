"""A case's life: the steps that change it, deadlines and escalation as steps, the sweep that
applies what time makes due, and free-text edits."""
