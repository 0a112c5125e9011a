"""Reference implementations nothing in src calls at run time: the tests compare the shipped code with them."""
