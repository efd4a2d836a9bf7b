"""The pure billing core: code sets, coding rules, money arithmetic. No Django, no I/O, no clock.

Every rule names its sources (``sources.py``); facts PRACTICE.md marks *from memory, verify* carry
``verify=True`` and are shown so on screen.
"""
