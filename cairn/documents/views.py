"""Views; thin: parse, check permission, call an action, render."""
