"""The table audit (审核公式) over the figures themselves."""
