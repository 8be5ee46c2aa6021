"""Public verification of certificates: reads only, no writes (STANDARD.md section 7).

``lookup`` is the hot path (one certificate by number) and stays small; ``bulk`` answers many
numbers and writes the answer as CSV; ``document_check`` says whether a PDF or signed credential
someone was sent is the portal's, as issued. Import the module you need: this package imports
none of them, so the hot path loads nothing of the other two.
"""
