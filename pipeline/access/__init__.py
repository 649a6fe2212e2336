"""Team use: who may sign in (the access list), what each role may do, and the team store.

The team store (`data/team.sqlite`) holds what people do rather than what the documents say:
the audit trail today, coding decisions and memos later. It lives outside the warehouse and
outside published snapshots, so it survives reruns and republishing.
"""
