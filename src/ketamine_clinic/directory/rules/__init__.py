"""Pure rules of the directory (no Django, no I/O): identifier check digits and the taxonomy codes."""
