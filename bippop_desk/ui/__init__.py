"""The PySide6 desktop app.

Thread rule (read this before writing a page): widgets are touched only on the GUI
thread; database work runs only on the DB worker (`worker.DbWorker.submit`), whose
results come back on the GUI thread by signal. Never open a session or call a
registry service directly from a slot.
"""
