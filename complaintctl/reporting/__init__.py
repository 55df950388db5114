"""Reading many cases: reports, the weekly register, bulletins, export, masking (R-RP-4), the
knowledge base and list/show queries."""
